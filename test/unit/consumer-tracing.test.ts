import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { KafkaMessage, ProducerRecord } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentBatchHandler } from '../../consumers/document-batch-handler.ts';
import { DeadLetterPublisher } from '../../src/kafka/dead-letter.ts';
import { silentLogger } from '../../src/kafka/logger.ts';
import { flushTelemetry, shutdownTelemetry, startTelemetry } from '../../src/telemetry/bootstrap.ts';
import { sendTraced } from '../../src/telemetry/kafka-context.ts';
import { fakePayload } from './consumers/kafka-fakes.ts';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  startTelemetry({ role: 'unit', enabled: true, endpoint: 'http://localhost:4317', exporter });
});
afterAll(() => shutdownTelemetry());

async function finished(): Promise<ReadableSpan[]> {
  await flushTelemetry();
  return exporter.getFinishedSpans();
}

/** What a producer published, as the consumer receives it (traced headers become Buffers). */
async function published(values: string[]): Promise<KafkaMessage[]> {
  let record: ProducerRecord | undefined;
  await sendTraced(
    { send: (r) => Promise.resolve(((record = r), [])) },
    { topic: 'docs', messages: values.map((value, i) => ({ key: `d${i}`, value })) },
  );
  return record!.messages.map((m, i) => ({
    key: Buffer.from(String(m.key)),
    value: Buffer.from(String(m.value)),
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))])),
    offset: String(i),
    timestamp: '1000000',
    attributes: 0,
  }));
}

describe('document consumer tracing', () => {
  it('when a batch is handled, then the start runs in a hand-off span linked to its messages and a dead letter is routed under its message', async () => {
    const messages = await published(['{"id":"d0","text":"a"}', 'broken', '{"id":"d2","text":"c"}']);
    exporter.reset();
    const { payload } = fakePayload(messages);
    let activeAtStart: string | undefined;
    const handler = new DocumentBatchHandler({
      starter: {
        start() {
          activeAtStart = trace.getActiveSpan()?.spanContext().spanId;
          return Promise.resolve('started');
        },
      },
      deadLetters: new DeadLetterPublisher({ sendAsIs: () => Promise.resolve([]) }, 'docs.dlq'),
      admit: () => Promise.resolve(true),
      limits: { maxDocs: 10, maxBytes: 512 * 1024, maxWaitMs: 500 },
      taskQueue: 'q',
      groupId: 'g',
      logger: silentLogger,
      signal: new AbortController().signal,
      now: () => 10_000_000,
    });
    handler.noteGroupJoined(9_000_000);

    await handler.handle(payload);

    const spans = await finished();
    const receive = spans.find((s) => s.name === 'receive docs')!;
    const offset = (s: (typeof spans)[number]) => Number(s.attributes['messaging.kafka.offset']);
    const processes = spans.filter((s) => s.name === 'process docs').sort((a, b) => offset(a) - offset(b));
    const handOff = spans.find((s) => s.name === 'hand-off docs')!;
    const route = spans.find((s) => s.name === 'dlq.route')!;
    expect(receive).toBeDefined();
    expect(processes).toHaveLength(3);
    expect(processes.map((p) => p.status.code)).toEqual([0, 2, 0]);
    // The start ran inside the hand-off span, linked to the producers of the two valid messages.
    expect(activeAtStart).toBe(handOff.spanContext().spanId);
    const producerSpanIds = [messages[0]!, messages[2]!].map(
      (m) => String(m.headers!.traceparent).split('-')[2],
    );
    expect(handOff.links.map((l) => l.context.spanId)).toEqual(expect.arrayContaining(producerSpanIds));
    // The dead letter is routed under the failed message's process span, with the reason.
    expect(route.parentSpanId).toBe(processes[1]!.spanContext().spanId);
    expect(route.attributes['embedstream.dlq.reason']).toBe('MalformedJson');
  });
});
