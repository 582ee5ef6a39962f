import { context, type Context } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { DeadLetterPublisher } from '../src/kafka/dead-letter.ts';
import type { Logger } from '../src/kafka/logger.ts';
import type { MessageProducer } from '../src/kafka/producer.ts';
import {
  encodeQueryResult,
  findRequestId,
  parseQueryMessage,
  type InvalidMessageError,
} from '../src/messages/index.ts';
import { messagesConsumed } from '../src/metrics/registry.ts';
import { traceBatch, type TracedBatch } from '../src/telemetry/kafka-context.ts';
import { SEARCH_WORKFLOW, searchWorkflowId, type SearchInput } from '../workflows/contracts.ts';
import type { BatchPayload } from './document-batch-handler.ts';
import { startUntilAcknowledged, type WorkflowStarter } from './workflow-start.ts';

export interface QueryBatchDeps {
  starter: WorkflowStarter;
  /** Publishes error answers to invalid queries. */
  producer: Pick<MessageProducer, 'send'>;
  /** Takes invalid queries no one can be answered about (no requestId). */
  deadLetters: Pick<DeadLetterPublisher, 'deadLetterMessage'>;
  taskQueue: string;
  replyTopic: string;
  defaultTopK: number;
  groupId: string;
  logger: Logger;
  signal: AbortSignal;
  beat?(): void;
  /**
   * Starts embedding a valid query's text as its workflow start goes out. Beside the search worker
   * this overlaps the query's embedding with Temporal's acknowledgement and dispatch: the engine
   * shares an embedding in flight with the search that asks for the same text, and caches it.
   */
  warmQuery?: (text: string) => void;
}

// Queries of one batch start side by side: each start is a round trip to Temporal, and a query
// must not wait for the ones before it. Bounded so a burst does not open thousands of calls.
const CONCURRENT_STARTS = 32;

/**
 * The query consumer's `eachBatch`: one search workflow per valid query, started on the search
 * task queue (id `search-<requestId>`, so a redelivered query is not answered twice). An invalid
 * query that names its requestId is answered with `{requestId, error}` on the reply topic, so the
 * asker learns at once what was wrong; one without a requestId goes to the queries dead-letter
 * topic, since no one can be waiting for it by id. Offsets are resolved and committed once every
 * query before them was started.
 */
export class QueryBatchHandler {
  readonly #deps: QueryBatchDeps;

  constructor(deps: QueryBatchDeps) {
    this.#deps = deps;
  }

  readonly handle = async (payload: BatchPayload): Promise<void> => {
    try {
      await traceBatch(payload.batch, (traced) => this.#process(payload, traced), {
        groupId: this.#deps.groupId,
      });
    } finally {
      this.#deps.beat?.();
    }
  };

  async #process(payload: BatchPayload, traced: TracedBatch): Promise<void> {
    const { messages } = payload.batch;
    for (let i = 0; i < messages.length; i += CONCURRENT_STARTS) {
      if (!payload.isRunning() || payload.isStale()) return;
      const group = messages.slice(i, i + CONCURRENT_STARTS);
      const handled = await Promise.all(group.map((m) => this.#handle(m, payload, traced)));
      if (!handled.every(Boolean)) return;
      payload.resolveOffset(group[group.length - 1]!.offset);
      await payload.heartbeat();
      await payload.commitOffsetsIfNecessary();
      messagesConsumed.inc({ topic: payload.batch.topic }, group.length);
    }
  }

  /** False when the consumer stopped before Temporal acknowledged the start. */
  async #handle(message: KafkaMessage, payload: BatchPayload, traced: TracedBatch): Promise<boolean> {
    const parsed = parseQueryMessage(message.value);
    if (!parsed.ok) {
      traced.fail(message, parsed.error);
      await this.#reject(message, parsed.error, payload.batch, traced.processContext(message));
      return true;
    }
    const query = parsed.value;
    this.#deps.warmQuery?.(query.text);
    const input: SearchInput = {
      requestId: query.requestId,
      text: query.text,
      topK: query.topK ?? this.#deps.defaultTopK,
      replyTopic: this.#deps.replyTopic,
      receivedAt: Number(message.timestamp),
    };
    if (query.filter !== undefined) input.filter = query.filter;
    if (query.collection !== undefined) input.collection = query.collection;
    if (query.mmr !== undefined) input.mmr = query.mmr;
    const outcome = await traced.handOff([message], () =>
      startUntilAcknowledged(
        this.#deps.starter,
        {
          workflowType: SEARCH_WORKFLOW,
          workflowId: searchWorkflowId(query.requestId, {
            topic: payload.batch.topic,
            partition: payload.batch.partition,
            offset: message.offset,
          }),
          taskQueue: this.#deps.taskQueue,
          args: [input],
        },
        {
          shouldContinue: () => payload.isRunning() && !payload.isStale(),
          heartbeat: () => payload.heartbeat(),
          signal: this.#deps.signal,
          logger: this.#deps.logger,
        },
      ),
    );
    if (outcome === 'already_started')
      this.#deps.logger.info(`query ${query.requestId} was already started: not answered twice`);
    return outcome !== 'abandoned';
  }

  async #reject(
    message: KafkaMessage,
    error: InvalidMessageError,
    origin: { topic: string; partition: number },
    parent: Context,
  ): Promise<void> {
    const requestId = findRequestId(message.value);
    if (requestId === undefined) {
      await this.#deps.deadLetters.deadLetterMessage(
        message,
        origin,
        { type: error.type, message: error.message },
        parent,
      );
      return;
    }
    this.#deps.logger.debug(`query ${requestId} is invalid, answered with the reason: ${error.message}`);
    const answer = encodeQueryResult({ requestId, error: `invalid query: ${error.message}` });
    await context.with(parent, () => this.#deps.producer.send(this.#deps.replyTopic, [answer]));
  }
}
