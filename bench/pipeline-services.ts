import { QdrantClient } from '@qdrant/js-client-rest';
import type { Kafka } from 'kafkajs';
import type { Config } from '../src/config/index.ts';
import { ensureTopics, topicSpecs, type MessageProducer } from '../src/kafka/index.ts';
import { configOf, isolatedEnv, startService, type ServiceProcess } from '../test/helpers/service-process.ts';
import type { ProcessSampler } from './lib/process-sampler.ts';
import type { BenchDocument } from './pipeline-corpus.ts';

/** The bench's processes show in Jaeger as `embedstream-bench-worker` and `embedstream-bench-consumer`. */
export const BENCH_LABEL = 'bench';

/** A worker and a consumer process of their own, on topics, task queues and a collection no one else uses. */
export interface PipelineUnderTest {
  readonly config: Config;
  readonly worker: ServiceProcess;
  readonly consumer: ServiceProcess;
  /** Points in the collection (0 before the first ingest created it). */
  pointCount(): Promise<number>;
  /** Stops both processes, then deletes the collection and the topics. */
  stop(): Promise<void>;
}

/**
 * Starts a fresh pipeline: fresh processes (so the engine's content-hash cache is empty) and a fresh
 * collection. Partitions and every other setting are the configured ones, as in production, but
 * for `overrides`.
 */
export async function startPipeline(
  base: Config,
  kafka: Kafka,
  sampler: ProcessSampler,
  overrides: Record<string, string> = {},
): Promise<PipelineUnderTest> {
  const env = isolatedEnv({ TOPIC_PARTITIONS: String(base.topicPartitions), ...overrides });
  const config = configOf(env);
  await ensureTopics(config, kafka);
  const started = await Promise.allSettled([
    startService('worker', env, BENCH_LABEL),
    startService('consumer', env, BENCH_LABEL),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])));
    throw failed.reason;
  }
  const [worker, consumer] = started.map((s) => (s as PromiseFulfilledResult<ServiceProcess>).value) as [
    ServiceProcess,
    ServiceProcess,
  ];
  sampler.track('worker', worker.child.pid!);
  sampler.track('consumer', consumer.child.pid!);
  const qdrant = new QdrantClient({
    url: config.qdrantUrl,
    checkCompatibility: false,
    ...(config.qdrantApiKey ? { apiKey: config.qdrantApiKey } : {}),
  });
  return {
    config,
    worker,
    consumer,
    async pointCount() {
      try {
        return (await qdrant.count(config.qdrantCollection, { exact: true })).count;
      } catch {
        return 0;
      }
    },
    async stop() {
      sampler.untrack('worker');
      sampler.untrack('consumer');
      await Promise.all([worker.stop(), consumer.stop()]);
      await qdrant.deleteCollection(config.qdrantCollection).catch(() => undefined);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: topicSpecs(config).map((s) => s.topic) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

// Under the broker's 1 MB request limit whatever partition the keys hash to.
const MAX_SEND_BYTES = 512 * 1024;

/** Publishes `docs` to the documents topic, keyed by id, in sends that stay under the broker's request limit. */
export async function publishDocuments(
  producer: MessageProducer,
  topic: string,
  docs: readonly BenchDocument[],
): Promise<void> {
  let batch: { key: string; value: string }[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const value = JSON.stringify(doc);
    const size = Buffer.byteLength(value);
    if (batch.length > 0 && bytes + size > MAX_SEND_BYTES) {
      await producer.send(topic, batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ key: doc.id, value });
    bytes += size;
  }
  if (batch.length > 0) await producer.send(topic, batch);
}

/** Polls the point count every `everyMs` until it reaches `target`; resolves with the time it was first seen there. */
export async function waitForPoints(
  pipeline: PipelineUnderTest,
  target: number,
  options: { timeoutMs: number; everyMs?: number; onProgress?: (points: number) => void },
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  let last = -1;
  for (;;) {
    const points = await pipeline.pointCount();
    if (points !== last) options.onProgress?.(points);
    last = points;
    if (points >= target) return performance.now();
    if (performance.now() > deadline)
      throw new Error(
        `${points} of ${target} points after ${options.timeoutMs / 1000} s: is the worker stuck? (worker output:\n${pipeline.worker.output().slice(-2000)})`,
      );
    await new Promise((r) => setTimeout(r, options.everyMs ?? 200));
  }
}
