import { fileURLToPath } from 'node:url';
import { QdrantClient } from '@qdrant/js-client-rest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { HealthServer } from '../../src/http/health-server.ts';
import { createKafka } from '../../src/kafka/index.ts';
import { prepareTemporalRuntimeMetrics } from '../../src/metrics/temporal-runtime-metrics.ts';
import {
  flushTelemetry,
  serviceNameFor,
  shutdownTelemetry,
  startTelemetry,
} from '../../src/telemetry/bootstrap.ts';
import { sendTraced, traceBatch } from '../../src/telemetry/kafka-context.ts';
import { withSpan } from '../../src/telemetry/spans.ts';
import { temporalClientInterceptors, temporalWorkerTelemetry } from '../../src/telemetry/temporal.ts';
import { parentOf, spanNamed, waitForTrace, type JaegerSpan, type JaegerTrace } from '../helpers/jaeger.ts';
import { uniqueName } from '../helpers/names.ts';
import { createTelemetryChainActivities } from './fixtures/telemetry-chain-activities.ts';

// One document through every hop this project traces: a producer, Kafka, a batch consumer handing
// off to Temporal, a workflow, its activity, and the Qdrant client's HTTP calls; plus the
// process's /metrics (own metrics and Temporal's forwarded ones) moving as the work is done.
const config = loadConfig();
const role = uniqueName('chain-test');
const kafka = createKafka(config, { clientIdSuffix: '-telemetry-chain', logLevel: 'error' });
const topic = uniqueName('chain');
const taskQueue = uniqueName('chain');
const collection = uniqueName('chain').replace(/-/g, '_');
const qdrant = new QdrantClient({ url: config.qdrantUrl, checkCompatibility: false });
const health = new HealthServer({ port: 0, host: '127.0.0.1' });

let worker: Worker;
let workerRun: Promise<void>;
let client: Client;
let metricsUrl: string;

async function scrape(): Promise<string> {
  return (await fetch(metricsUrl)).text();
}

/** A sample's value in Prometheus text, 0 when absent. */
function sample(text: string, series: RegExp): number {
  const line = text.split('\n').find((l) => series.test(l));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  startTelemetry({ role, enabled: true, endpoint: config.otlpEndpoint });
  const temporalMetrics = await prepareTemporalRuntimeMetrics(0);
  Runtime.install({ telemetryOptions: { metrics: temporalMetrics.metrics } });
  health.addMetricsSource(temporalMetrics.source);
  health.registerCheck('qdrant', async () => ({ ok: (await fetch(`${config.qdrantUrl}/collections`)).ok }));
  metricsUrl = `http://127.0.0.1:${await health.start()}/metrics`;

  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  await qdrant.createCollection(collection, { vectors: { size: 4, distance: 'Cosine' } });

  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: config.temporalAddress }),
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./fixtures/telemetry-chain-workflow.ts', import.meta.url)),
    activities: createTelemetryChainActivities(config.qdrantUrl, collection),
    ...temporalWorkerTelemetry(),
  });
  workerRun = worker.run();
  client = new Client({
    connection: await Connection.connect({ address: config.temporalAddress }),
    interceptors: temporalClientInterceptors(),
  });
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await client?.connection.close();
  await qdrant.deleteCollection(collection).catch(() => undefined);
  await health.stop();
  await shutdownTelemetry();
});

/** Publishes one document and runs a consumer until its hand-off has completed the workflow. */
async function publishAndConsume(documentId: string): Promise<{ message: KafkaMessage; result: string }> {
  const producer = kafka.producer();
  await producer.connect();
  await withSpan('publish', {}, () =>
    sendTraced(producer, {
      topic,
      messages: [{ key: documentId, value: JSON.stringify({ id: documentId }) }],
    }),
  );
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: uniqueName('chain') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<{ message: KafkaMessage; result: string }>((resolve, reject) => {
    consumer
      .run({
        eachBatchAutoResolve: false,
        eachBatch: (payload) =>
          traceBatch(payload.batch, async (traced) => {
            const { batch } = payload;
            const handle = await traced.handOff(batch.messages, () =>
              client.workflow.start('telemetryChain', {
                taskQueue,
                workflowId: uniqueName('chain'),
                args: [documentId],
              }),
            );
            for (const m of batch.messages) payload.resolveOffset(m.offset);
            await payload.heartbeat();
            resolve({ message: batch.messages[0]!, result: String(await handle.result()) });
          }),
      })
      .catch(reject);
  });
  try {
    return await done;
  } finally {
    await consumer.disconnect();
  }
}

const ancestry = (t: JaegerTrace, s: JaegerSpan): string[] => {
  const names: string[] = [];
  for (let p = parentOf(t, s); p; p = parentOf(t, p)) names.push(p.operationName);
  return names;
};

describe('one trace across Kafka, Temporal and Qdrant', () => {
  it('when a document is published and consumed, then its journey is one trace down to the Qdrant HTTP call, and /metrics moved', async () => {
    const before = await scrape();
    const { message, result } = await publishAndConsume('doc-1');
    await flushTelemetry();
    expect(result).toBe('doc-1');

    const traceId = String(message.headers!.traceparent).split('-')[1]!;
    const journey = await waitForTrace(
      traceId,
      (t) => !!spanNamed(t, 'qdrant.upsert') && !!spanNamed(t, /^(PUT|POST)$/),
    );
    const upsert = spanNamed(journey, 'qdrant.upsert')!;
    expect(ancestry(journey, upsert)).toEqual([
      'RunActivity:storePoint',
      'StartActivity:storePoint',
      'RunWorkflow:telemetryChain',
      'StartWorkflow:telemetryChain',
      `hand-off ${topic}`,
      `send ${topic}`,
    ]);
    const http = journey.spans.find(
      (s) => /^(PUT|POST)$/.test(s.operationName) && parentOf(journey, s) === upsert,
    );
    expect(http, 'an undici HTTP client span under qdrant.upsert').toBeDefined();
    const services = new Set(journey.spans.map((s) => journey.processes[s.processID]!.serviceName));
    expect(services).toEqual(new Set([serviceNameFor(role)]));

    // The consumer side: one receive span with a process span per message, linked to the producer.
    const send = spanNamed(journey, `send ${topic}`)!;
    const handOff = spanNamed(journey, `hand-off ${topic}`)!;
    const receiveRef = handOff.references.find((r) => r.refType === 'FOLLOWS_FROM' && r.traceID !== traceId)!;
    const consumerTrace = await waitForTrace(receiveRef.traceID, (t) => !!spanNamed(t, `process ${topic}`));
    const process = spanNamed(consumerTrace, `process ${topic}`)!;
    expect(parentOf(consumerTrace, process)!.operationName).toBe(`receive ${topic}`);
    expect(process.references).toContainEqual(
      expect.objectContaining({ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: send.spanID }),
    );

    const after = await scrape();
    const upserts = /^embedstream_qdrant_request_duration_seconds_count\{operation="upsert",outcome="ok"\}/;
    expect(sample(after, upserts) - sample(before, upserts)).toBe(1);
    expect(
      sample(after, /^temporal_workflow_completed_total\{.*task_queue="[^"]*chain/),
    ).toBeGreaterThanOrEqual(1);
    expect(after).toContain('nodejs_eventloop_lag_seconds');
  });

  it('when /readyz is asked, then it reports the registered dependency', async () => {
    const res = await fetch(metricsUrl.replace('/metrics', '/readyz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { qdrant: { ok: true } } });
  });
});
