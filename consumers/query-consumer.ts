import type { Kafka } from 'kafkajs';
import type { Config } from '../src/config/index.ts';
import type { DeadLetterPublisher } from '../src/kafka/dead-letter.ts';
import type { Logger } from '../src/kafka/logger.ts';
import type { MessageProducer } from '../src/kafka/producer.ts';
import { runConsumer, type HealthRegistry, type RunningConsumer } from './consumer-runner.ts';
import { QueryBatchHandler } from './query-batch-handler.ts';
import type { WorkflowStarter } from './workflow-start.ts';

export type QueryConsumerConfig = Pick<
  Config,
  'kafkaGroupId' | 'topicQueries' | 'topicQueryResults' | 'topicPartitions' | 'taskQueueSearch' | 'queryTopK'
>;

export interface QueryConsumerDeps {
  kafka: Kafka;
  starter: WorkflowStarter;
  producer: Pick<MessageProducer, 'send'>;
  deadLetters: Pick<DeadLetterPublisher, 'deadLetterMessage'>;
  health?: HealthRegistry;
  logger: Logger;
  /** See QueryBatchDeps.warmQuery. */
  warmQuery?: (text: string) => void;
}

export function queriesGroupId(config: Pick<Config, 'kafkaGroupId'>): string {
  return `${config.kafkaGroupId}-queries`;
}

/**
 * Consumes the queries topic into search workflows on the search task queue, in its own consumer
 * group, so bulk ingest never stands between a query and its answer.
 */
export async function startQueryConsumer(
  config: QueryConsumerConfig,
  deps: QueryConsumerDeps,
): Promise<RunningConsumer> {
  const abort = new AbortController();
  const groupId = queriesGroupId(config);
  const handler = new QueryBatchHandler({
    starter: deps.starter,
    producer: deps.producer,
    deadLetters: deps.deadLetters,
    taskQueue: config.taskQueueSearch,
    replyTopic: config.topicQueryResults,
    defaultTopK: config.queryTopK,
    groupId,
    logger: deps.logger,
    signal: abort.signal,
    ...(deps.warmQuery ? { warmQuery: deps.warmQuery } : {}),
  });
  const running = await runConsumer({
    kafka: deps.kafka,
    name: 'queries',
    topic: config.topicQueries,
    config: {
      groupId,
      // The broker answers a fetch as soon as one byte is there; the short wait bounds an idle
      // long poll, which keeps the loop's health beat and a stop prompt. It also matters for the
      // tail: with 500 ms the p99 of sequential queries was 20 to 40 ms worse in 4 pairs of 4,
      // and 20 ms was no better than 100.
      minBytes: 1,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    },
    concurrency: config.topicPartitions,
    handle: handler.handle,
    health: deps.health,
    logger: deps.logger,
  });
  return {
    consumer: running.consumer,
    done: running.done,
    async stop(timeoutMs) {
      abort.abort();
      await running.stop(timeoutMs);
    },
  };
}
