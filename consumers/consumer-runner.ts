import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import type { Check } from '../src/http/health-server.ts';
import type { Logger } from '../src/kafka/logger.ts';
import { beforeDeadline } from '../src/service/deadline.ts';
import type { BatchPayload } from './document-batch-handler.ts';

/** The part of the health server consumers register with. */
export interface HealthRegistry {
  registerCheck(name: string, check: Check): void;
  registerLoop(name: string, maxAgeMs?: number): () => void;
}

export interface ConsumerRunOptions {
  kafka: Kafka;
  /** Names the consumer in logs, /readyz checks and /healthz loops, e.g. `documents`. */
  name: string;
  topic: string;
  config: ConsumerConfig;
  /** Sub-batches of one partition are sequential; partitions run side by side up to this many. */
  concurrency: number;
  handle(payload: BatchPayload): Promise<void>;
  /** Called on every (re)join of the group, with the partitions assigned to this member by topic. */
  onGroupJoin?(assignment: Readonly<Record<string, readonly number[]>>): void;
  health?: HealthRegistry;
  logger: Logger;
}

/** A running kafkajs consumer with manual offset resolution. */
export interface RunningConsumer {
  readonly consumer: Consumer;
  /** Rejects when the consumer crashed and kafkajs gave up restarting it; resolves once stopped. */
  readonly done: Promise<void>;
  /**
   * Stops in order: no new fetches, the batch in hand finishes or is handed back unresolved, then
   * the consumer leaves its group. Past `timeoutMs` it stops waiting (what was not committed is
   * redelivered to the next owner of the partition).
   */
  stop(timeoutMs: number): Promise<void>;
}

/** Subscribes (from the beginning for a new group: nothing published before the first start is lost) and runs. */
export async function runConsumer(options: ConsumerRunOptions): Promise<RunningConsumer> {
  const { kafka, name, topic, logger } = options;
  const consumer = kafka.consumer(options.config);
  const state = { joined: false, detail: 'connecting' };
  const beat = options.health?.registerLoop(`consumer-${name}`);
  options.health?.registerCheck(`kafka-${name}`, () => ({ ok: state.joined, detail: state.detail }));

  let settle: { resolve(): void; reject(err: unknown): void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Only a caller that awaits `done` sees a crash; it must not surface as an unhandled rejection.
  done.catch(() => undefined);

  const { GROUP_JOIN, FETCH, CRASH, REBALANCING, STOP } = consumer.events;
  consumer.on(GROUP_JOIN, (e) => {
    state.joined = true;
    state.detail = `member of ${options.config.groupId}, ${Object.values(e.payload.memberAssignment).flat().length} partitions`;
    options.onGroupJoin?.(e.payload.memberAssignment);
    logger.info(`${name}: joined ${options.config.groupId}`);
  });
  // Every fetch turns the loop, idle or not: /healthz then fails only when a batch is stuck.
  consumer.on(FETCH, () => beat?.());
  consumer.on(REBALANCING, () => (state.detail = 'rebalancing'));
  consumer.on(STOP, () => (state.joined = false));
  consumer.on(CRASH, (e) => {
    state.joined = false;
    state.detail = `crashed: ${e.payload.error.message}`;
    logger.error(
      `${name}: consumer crashed (${e.payload.error.message}); ${e.payload.restart ? 'restarting' : 'giving up'}`,
    );
    if (!e.payload.restart) settle?.reject(e.payload.error);
  });

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    // commitOffsetsIfNecessary() then commits as soon as one offset is resolved: each hand-off is
    // committed right away, so a crash redelivers at most the sub-batch in flight.
    autoCommitThreshold: 1,
    partitionsConsumedConcurrently: options.concurrency,
    eachBatch: (payload) => options.handle(payload),
  });

  let stopping: Promise<void> | undefined;
  return {
    consumer,
    done,
    stop(timeoutMs) {
      stopping ??= (async () => {
        const disconnected = consumer.disconnect().then(
          () => 'stopped' as const,
          (err: unknown) => {
            logger.warn(`${name}: disconnect failed: ${err instanceof Error ? err.message : String(err)}`);
            return 'stopped' as const;
          },
        );
        const result = await beforeDeadline(disconnected, timeoutMs, 'timeout' as const);
        if (result === 'timeout')
          logger.warn(
            `${name}: still busy after ${timeoutMs} ms (CONSUMER_STOP_TIMEOUT_MS); leaving, uncommitted messages will be redelivered`,
          );
        state.joined = false;
        state.detail = 'stopped';
        settle?.resolve();
      })();
      return stopping;
    },
  };
}
