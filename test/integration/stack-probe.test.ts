import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { QdrantClient } from '@qdrant/js-client-rest';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { createKafka } from '../../src/kafka/index.ts';
import { startTelemetry, flushTelemetry } from '../../src/telemetry/bootstrap.ts';
import { extractTraceContext, sendTraced } from '../../src/telemetry/kafka-context.ts';
import { withSpan } from '../../src/telemetry/spans.ts';
import { temporalClientInterceptors, temporalWorkerTelemetry } from '../../src/telemetry/temporal.ts';
import { parentOf, spanNamed, waitForTrace } from '../helpers/jaeger.ts';
import { uniqueName } from '../helpers/names.ts';
import { createProbeActivities } from '../helpers/probe/probe-activities.ts';
import type { stackProbe } from '../helpers/probe/probe-workflow.ts';

const config = loadConfig();
startTelemetry({ role: 'stack-probe-test', enabled: true, endpoint: config.otlpEndpoint });

const kafka = createKafka(config, { clientIdSuffix: '-stack-probe', logLevel: 'error' });
const topic = uniqueName('probe');
const taskQueue = uniqueName('probe');
const collection = uniqueName('probe').replace(/-/g, '_');
const qdrant = new QdrantClient({ url: config.qdrantUrl });

let worker: Worker;
let workerRun: Promise<void>;
let client: Client;

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const telemetry = temporalWorkerTelemetry();
  worker = await Worker.create({
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../helpers/probe/probe-workflow.ts', import.meta.url)),
    activities: createProbeActivities(qdrant),
    ...telemetry,
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
  await qdrant.deleteCollection(collection).catch(() => undefined);
  await client?.connection.close();
});

describe('the local stack, end to end', () => {
  it('when a message goes through Kafka, Temporal and Qdrant, then it reads back and its trace is in Jaeger', async () => {
    // Arrange: a message published inside a span, so its trace context travels in the headers.
    const message = `hello ${Date.now()}`;
    const producer = kafka.producer();
    await producer.connect();
    const publishSpanId = await withSpan('probe.publish', {}, async (span) => {
      await sendTraced(producer, { topic, messages: [{ key: 'probe', value: message }] });
      return span.spanContext().spanId;
    });
    await producer.disconnect();

    // Act: consume it, and hand it to a workflow in the producer's trace.
    const consumer = kafka.consumer({ groupId: uniqueName('probe') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let traceId = '';
    const result = await new Promise<string>((resolve, reject) => {
      void consumer
        .run({
          eachMessage: async ({ message: m }) => {
            const ctx = extractTraceContext(m.headers);
            traceId = trace.getSpanContext(ctx)?.traceId ?? '';
            await context.with(ctx, async () => {
              const out = await client.workflow.execute<typeof stackProbe>('stackProbe', {
                taskQueue,
                workflowId: uniqueName('probe'),
                args: [{ collection, message: m.value!.toString() }],
              });
              resolve(out);
            });
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    await flushTelemetry();

    // Assert: the point read back, and Jaeger holds the whole journey as one trace.
    expect(result).toBe(message);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const found = await waitForTrace(traceId, (t) => !!spanNamed(t, 'RunActivity:writeAndReadPoint'));
    const send = spanNamed(found, `send ${topic}`);
    const activity = spanNamed(found, 'RunActivity:writeAndReadPoint');
    expect(send).toBeDefined();
    expect(activity).toBeDefined();
    // The message's send span is linked to the span that published it.
    expect(send!.references.some((r) => r.refType === 'FOLLOWS_FROM' && r.spanID === publishSpanId)).toBe(
      true,
    );
    // The activity descends from the workflow, which descends from the message's send span.
    const ancestors: string[] = [];
    for (let s = parentOf(found, activity!); s; s = parentOf(found, s)) ancestors.push(s.operationName);
    expect(ancestors).toEqual(expect.arrayContaining(['RunWorkflow:stackProbe', 'StartWorkflow:stackProbe']));
    expect(ancestors.at(-1)).toBe(`send ${topic}`);
    // Its Qdrant calls are HTTP client spans beneath it.
    expect(
      found.spans.filter((s) => parentOf(found, s) === activity && /^(GET|PUT|POST)$/.test(s.operationName))
        .length,
    ).toBeGreaterThanOrEqual(3);
  });
});
