import { setMaxListeners } from 'node:events';
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Config } from '../src/config/index.ts';
import { createKafka } from '../src/kafka/client.ts';
import { DeadLetterPublisher } from '../src/kafka/dead-letter.ts';
import { consoleLogger, type Logger } from '../src/kafka/logger.ts';
import { MessageProducer } from '../src/kafka/producer.ts';
import { ensureTopics } from '../src/kafka/topics.ts';
import type { HealthRegistry, RunningConsumer } from './consumer-runner.ts';
import { committedRunning } from './commit-metadata.ts';
import { documentsGroupId, startDocumentConsumer } from './document-consumer.ts';
import { ingestBacklogFor } from './ingest-backlog.ts';
import { startQueryConsumer } from './query-consumer.ts';
import { runningIngests, workflowEnd } from './running-ingests.ts';
import { temporalStarter, type WorkflowStarter } from './workflow-start.ts';

export type ConsumerRole = 'documents' | 'queries';

export interface ConsumerDeps {
  /** Starts the workflows and counts the ingest backlog; its owner closes it after `stop()`. */
  temporal: Client;
  /** /readyz checks (`kafka-documents`, `kafka-queries`) and /healthz loops register here. */
  health?: HealthRegistry;
  /** Which consumers to run; both by default. */
  roles?: readonly ConsumerRole[];
  /** Replaces the Temporal starts (tests). */
  starter?: WorkflowStarter;
  /** Starts the search workflows instead of `starter` (an eager starter beside the search worker). */
  queryStarter?: WorkflowStarter;
  /** Starts embedding each valid query as its search workflow starts (beside the search worker). */
  warmQuery?: (text: string) => void;
  kafka?: Kafka;
  logger?: Logger;
}

export interface RunningConsumers {
  /** Rejects when a consumer crashed for good; resolves once all are stopped. */
  readonly done: Promise<void>;
  /** Stops every consumer (each within CONSUMER_STOP_TIMEOUT_MS unless told otherwise), then the producer. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Creates the topics if needed and starts the document consumer (documents → ingest workflows) and
 * the query consumer (queries → search workflows), sharing one producer for dead letters and error
 * answers. `embedstream run` starts the document consumer in consumer processes and the query consumer
 * in worker processes, beside the search worker its eager starts go to.
 */
export async function startConsumers(config: Config, deps: ConsumerDeps): Promise<RunningConsumers> {
  const logger = deps.logger ?? consoleLogger('consumers', config.logLevel);
  const kafka = deps.kafka ?? createKafka(config, { clientIdSuffix: '-consumer' });
  const roles = deps.roles ?? ['documents', 'queries'];
  const starter = deps.starter ?? temporalStarter(deps.temporal);

  await ensureTopics(config, kafka);
  const producer = new MessageProducer(kafka);
  await producer.connect();

  // Reads the committed offsets' metadata when a partition is taken over (see commit-metadata.ts).
  const admin = kafka.admin();
  const running: RunningConsumer[] = [];
  // Aborted first on stop, so that the waits for ingest workflows to finish (backlog, document order)
  // end before the owner closes the Temporal connection; each of those waits listens to it.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const stopAll = async (timeoutMs: number) => {
    stop.abort();
    await Promise.all(running.map((c) => c.stop(timeoutMs)));
    // Last: a batch finishing during the stop may still dead-letter or answer.
    await Promise.all([producer.disconnect(), admin.disconnect()]);
  };
  try {
    if (roles.includes('documents')) {
      await admin.connect();
      running.push(
        await startDocumentConsumer(config, {
          kafka,
          starter,
          deadLetters: new DeadLetterPublisher(producer, config.topicDocumentsDlq),
          backlog: ingestBacklogFor(deps.temporal, config.taskQueueIngest, logger, stop.signal),
          workflowEnd: (id) => workflowEnd(deps.temporal, id, stop.signal),
          runningIngests: async (topic, partition) =>
            runningIngests(
              deps.temporal,
              config.taskQueueIngest,
              topic,
              partition,
              await committedRunning(admin, documentsGroupId(config), topic, partition),
            ),
          health: deps.health,
          logger,
        }),
      );
    }
    if (roles.includes('queries')) {
      running.push(
        await startQueryConsumer(config, {
          kafka,
          starter: deps.queryStarter ?? starter,
          producer,
          ...(deps.warmQuery ? { warmQuery: deps.warmQuery } : {}),
          deadLetters: new DeadLetterPublisher(producer, config.topicQueriesDlq),
          health: deps.health,
          logger,
        }),
      );
    }
  } catch (err) {
    await stopAll(config.consumerStopTimeoutMs);
    throw err;
  }

  const done = Promise.all(running.map((c) => c.done)).then(() => undefined);
  // Seen by whoever awaits `done`; never an unhandled rejection when no one does.
  done.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    done,
    stop(timeoutMs = config.consumerStopTimeoutMs) {
      stopping ??= stopAll(timeoutMs);
      return stopping;
    },
  };
}
