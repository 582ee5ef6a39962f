import type { Kafka } from 'kafkajs';
import type { Config } from '../src/config/index.ts';
import type { DeadLetterPublisher } from '../src/kafka/dead-letter.ts';
import type { Logger } from '../src/kafka/logger.ts';
import { runConsumer, type HealthRegistry, type RunningConsumer } from './consumer-runner.ts';
import { DocumentBatchHandler, type DocumentBatchDeps } from './document-batch-handler.ts';
import { DocumentOrder } from './document-order.ts';
import type { IngestBacklog } from './ingest-backlog.ts';
import { IngestBackpressure } from './ingest-backpressure.ts';
import type { WorkflowStarter } from './workflow-start.ts';

export type DocumentConsumerConfig = Pick<
  Config,
  | 'kafkaGroupId'
  | 'topicDocuments'
  | 'topicPartitions'
  | 'taskQueueIngest'
  | 'ingestBatchDocs'
  | 'ingestBatchBytes'
  | 'ingestBatchMaxWaitMs'
  | 'ingestMaxBacklog'
>;

export interface DocumentConsumerDeps {
  kafka: Kafka;
  starter: WorkflowStarter;
  deadLetters: Pick<DeadLetterPublisher, 'deadLetterMessage'>;
  backlog: Pick<IngestBacklog, 'estimate' | 'noteStarted'>;
  /**
   * Resolves once the workflow has finished, or once the consumers stop; keeps each document's
   * operations in order (see DocumentOrder).
   */
  workflowEnd: (workflowId: string) => Promise<void>;
  /** A partition's ingest workflows still running, whoever started them (see `runningIngests`). */
  runningIngests?: DocumentBatchDeps['runningIngests'];
  health?: HealthRegistry;
  logger: Logger;
}

export function documentsGroupId(config: Pick<Config, 'kafkaGroupId'>): string {
  return `${config.kafkaGroupId}-documents`;
}

/**
 * Consumes the documents topic into ingest workflows (see DocumentBatchHandler), pausing while the
 * ingest backlog is at INGEST_MAX_BACKLOG.
 *
 * INGEST_BATCH_MAX_WAIT_MS, for a consumer that is handed one fetched batch at a time: the broker
 * answers a fetch as soon as it has anything, so a sub-batch cannot wait for more messages inside
 * a call; instead, one spans at most that much message time, and a partly filled one at the end
 * of the log is left unresolved, re-fetched with whatever arrived since, and handed off as it is
 * once its window has closed. A trickle of documents is thus delayed by at most about that long,
 * while a bulk load fills sub-batches to INGEST_BATCH_DOCS without waiting at all.
 */
export async function startDocumentConsumer(
  config: DocumentConsumerConfig,
  deps: DocumentConsumerDeps,
): Promise<RunningConsumer> {
  const abort = new AbortController();
  const groupId = documentsGroupId(config);
  const backpressure = new IngestBackpressure(deps.backlog, {
    maxBacklog: config.ingestMaxBacklog,
    logger: deps.logger,
  });
  const handler = new DocumentBatchHandler({
    starter: deps.starter,
    deadLetters: deps.deadLetters,
    admit: (pause) => backpressure.admit(pause),
    noteStarted: (id) => deps.backlog.noteStarted(id),
    order: new DocumentOrder(deps.workflowEnd),
    ...(deps.runningIngests ? { runningIngests: deps.runningIngests } : {}),
    limits: {
      maxDocs: config.ingestBatchDocs,
      maxBytes: config.ingestBatchBytes,
      maxWaitMs: config.ingestBatchMaxWaitMs,
    },
    taskQueue: config.taskQueueIngest,
    groupId,
    logger: deps.logger,
    signal: abort.signal,
  });
  const consumer = await runConsumer({
    kafka: deps.kafka,
    name: 'documents',
    topic: config.topicDocuments,
    config: {
      groupId,
      // A held tail and its successor must come back in one fetch (see sub-batch-plan.ts): room
      // for two full sub-batches plus one message of the broker's default 1 MiB maximum.
      maxBytesPerPartition: 2 * config.ingestBatchBytes + 1024 * 1024,
      // An idle long poll ends after a second, so a stop never waits longer than that for a fetch.
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: false,
    },
    concurrency: config.topicPartitions,
    handle: handler.handle,
    onGroupJoin: (assignment) => handler.noteGroupJoined(undefined, assignment),
    health: deps.health,
    logger: deps.logger,
  });
  return {
    consumer: consumer.consumer,
    done: consumer.done,
    async stop(timeoutMs) {
      // Waits in the batch in hand (backoff, held tails) end now; the batch then hands back the rest.
      abort.abort();
      backpressure.stop();
      await consumer.stop(timeoutMs);
    },
  };
}
