import type { Config } from '../config/index.ts';
import { HealthServer } from '../http/health-server.ts';
import { createKafka, DeadLetterPublisher, KafkaActivityPublisher, MessageProducer } from '../kafka/index.ts';
import { prepareTemporalRuntimeMetrics } from '../metrics/index.ts';
import { shutdownTelemetry } from '../telemetry/bootstrap.ts';
import { installTemporalRuntime, startWorkers, type RunningWorkers } from '../../workers/start-workers.ts';
import {
  startConsumers,
  temporalStarter,
  type ConsumerRole,
  type RunningConsumers,
} from '../../consumers/index.ts';
import { connectTemporal, temporalClientOver } from '../temporal/client.ts';
import { beforeDeadline } from './deadline.ts';

export type Role = 'worker' | 'consumer' | 'all';

export interface RunningService {
  readonly port: number;
  /** Resolves when the service stopped by itself (a worker failed); `stop()` also resolves it. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Every step of a shutdown gets at most this long, so a stuck dependency never keeps the process up. */
const STEP_DEADLINE_MS = 30_000;

async function step(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    const finished = fn().then(() => true);
    if (!(await beforeDeadline(finished, STEP_DEADLINE_MS, false)))
      console.error(`shutdown: ${name} did not finish in ${STEP_DEADLINE_MS / 1000} s; going on`);
  } catch (err) {
    console.error(`shutdown: ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * One embedstream process, with /healthz, /readyz and /metrics. Role worker: the Temporal workers and
 * the query consumer, which starts each search workflow eagerly on the search worker beside it (the
 * start's reply carries the first workflow task, so a query skips the task queue). Role consumer: the
 * document consumer. Role all: both. Scale out by running more of them: Kafka spreads partitions
 * over consumers of one group, Temporal spreads tasks over workers of one task queue.
 */
export async function runService(config: Config, role: Role): Promise<RunningService> {
  const health = new HealthServer({ port: config.httpPort, loopStallMs: config.healthLoopStallMs });
  const runsWorkers = role === 'worker' || role === 'all';
  const consumerRoles: ConsumerRole[] = [
    ...(role === 'consumer' || role === 'all' ? (['documents'] as const) : []),
    ...(runsWorkers ? (['queries'] as const) : []),
  ];

  // Temporal's own runtime metrics (task latencies, poller counts…) appear on this process's /metrics.
  const temporalMetrics = await prepareTemporalRuntimeMetrics(config.temporalMetricsPort);
  installTemporalRuntime({ telemetryOptions: { metrics: temporalMetrics.metrics } }, config.logLevel);
  health.addMetricsSource(temporalMetrics.source);

  // kafkajs logs group membership changes at INFO; the service's own lines say what matters.
  const kafka = createKafka(config, {
    clientIdSuffix: `-${role}`,
    logLevel: config.logLevel === 'debug' ? 'debug' : 'warn',
  });
  const producer = new MessageProducer(kafka);
  let workers: RunningWorkers | undefined;
  let consumers: RunningConsumers | undefined;
  const temporal = await connectTemporal(config);

  health.registerCheck('temporal', async () => {
    await temporal.workflowService.getSystemInfo({});
    return { ok: true, detail: config.temporalAddress };
  });
  health.registerCheck('kafka', async () => {
    await producer.connect();
    return { ok: true, detail: config.kafkaBrokers.join(',') };
  });

  if (runsWorkers) {
    const publisher = new KafkaActivityPublisher(
      producer,
      new DeadLetterPublisher(producer, config.topicDocumentsDlq),
    );
    workers = await startWorkers(config, { publisher });
    const store = workers.store;
    health.registerCheck('qdrant', async () => {
      await store.client.collectionExists(config.qdrantCollection);
      return { ok: true, detail: config.qdrantUrl };
    });
  }
  if (consumerRoles.length > 0) {
    const queryStarter = workers
      ? temporalStarter(temporalClientOver(workers.connection, config), { eager: true })
      : undefined;
    const embedder = workers?.embedder;
    // A failed warm-up costs nothing: the search embeds the text again and reports its own error.
    const warmQuery = embedder
      ? (text: string) => void embedder.embedQuery(text).catch(() => undefined)
      : undefined;
    consumers = await startConsumers(config, {
      kafka,
      temporal,
      health,
      roles: consumerRoles,
      queryStarter,
      ...(warmQuery ? { warmQuery } : {}),
    });
  }
  const port = await health.start();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Order: stop taking work in, let work in hand finish, then close what it needed.
      if (consumers) await step('consumers', () => consumers.stop());
      if (workers) await step('workers', () => workers.stop());
      await step('kafka producer', () => producer.disconnect());
      await step('temporal client', () => temporal.connection.close());
      await step('health server', () => health.stop());
      await step('telemetry', () => shutdownTelemetry());
    })();
    return stopping;
  };
  const done = Promise.race([
    workers ? workers.done : new Promise<void>(() => {}),
    consumers ? consumers.done : new Promise<void>(() => {}),
  ]).finally(() => stop());
  return { port, done, stop };
}
