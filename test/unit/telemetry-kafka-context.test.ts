import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { KafkaMessage, ProducerRecord } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { flushTelemetry, shutdownTelemetry, startTelemetry } from '../../src/telemetry/bootstrap.ts';
import {
  extractTraceContext,
  injectTraceHeaders,
  sendTraced,
  traceBatch,
} from '../../src/telemetry/kafka-context.ts';
import { withSpan } from '../../src/telemetry/spans.ts';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  startTelemetry({ role: 'unit', enabled: true, endpoint: 'http://localhost:4317', exporter });
});
afterAll(() => shutdownTelemetry());
beforeEach(() => resetSpans());

/** Exports what the batch processor still holds, then forgets it. */
async function resetSpans(): Promise<void> {
  await flushTelemetry();
  exporter.reset();
}

async function finished(): Promise<ReadableSpan[]> {
  await flushTelemetry();
  return exporter.getFinishedSpans();
}

/** A fake producer that records what it was asked to send. */
function recordingProducer() {
  const sent: ProducerRecord[] = [];
  return { sent, send: (record: ProducerRecord) => Promise.resolve((sent.push(record), [])) };
}

/** Messages as a consumer sees them: header values are Buffers. */
function consumed(record: ProducerRecord, firstOffset = 0): KafkaMessage[] {
  return record.messages.map((m, i) => ({
    key: m.key ? Buffer.from(m.key) : null,
    value: m.value ? Buffer.from(m.value) : null,
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))])),
    offset: String(firstOffset + i),
    timestamp: '0',
    attributes: 0,
  }));
}

/** `values` sent with `sendTraced` to `documents`, as a consumer receives them (offsets from `firstOffset`). */
async function sentAndConsumed(values: string[], firstOffset = 0): Promise<KafkaMessage[]> {
  const producer = recordingProducer();
  await sendTraced(producer, { topic: 'documents', messages: values.map((value) => ({ value })) });
  return consumed(producer.sent[0]!, firstOffset);
}

describe('kafka trace context', () => {
  it('when a context is injected into headers, then extracting them gives the same trace and span', async () => {
    await withSpan('outer', {}, () => {
      const headers = injectTraceHeaders({ existing: 'kept' });
      expect(headers.existing).toBe('kept');
      expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const asConsumed = Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))]),
      );
      const extracted = trace.getSpanContext(extractTraceContext(asConsumed));
      expect(extracted?.traceId).toBe(trace.getActiveSpan()?.spanContext().traceId);
      expect(extracted?.spanId).toBe(trace.getActiveSpan()?.spanContext().spanId);
    });
  });

  it('when messages are sent, then each gets its own PRODUCER span in a new trace, linked to the caller', async () => {
    const producer = recordingProducer();
    await withSpan('publish', {}, () =>
      sendTraced(producer, {
        topic: 'documents',
        messages: [
          { key: 'd1', value: 'one' },
          { key: 'd2', value: 'three' },
        ],
      }),
    );
    const spans = await finished();
    const publish = spans.find((s) => s.name === 'publish')!;
    const sends = spans.filter((s) => s.name === 'send documents');
    expect(sends).toHaveLength(2);
    expect(new Set(sends.map((s) => s.spanContext().traceId)).size).toBe(2);
    for (const s of sends) {
      expect(s.kind).toBe(SpanKind.PRODUCER);
      expect(s.parentSpanId).toBeUndefined();
      expect(s.links.map((l) => l.context.spanId)).toEqual([publish.spanContext().spanId]);
    }
    expect(sends.map((s) => s.attributes['messaging.kafka.message.key'])).toEqual(['d1', 'd2']);
    expect(sends.map((s) => s.attributes['messaging.message.body.size'])).toEqual([3, 5]);
    // Each message carries its own span's context.
    const sentParents = producer.sent[0]!.messages.map((m) => String(m.headers?.traceparent).split('-')[2]);
    expect(sentParents).toEqual(sends.map((s) => s.spanContext().spanId));
  });

  it('when a reply is sent in the caller’s trace, then its send span is the caller’s child and the message carries it', async () => {
    const producer = recordingProducer();
    await withSpan('answer', {}, () =>
      sendTraced(
        producer,
        { topic: 'query-results', messages: [{ key: 'r1', value: '{}' }] },
        { inCallerTrace: true },
      ),
    );
    const spans = await finished();
    const answer = spans.find((s) => s.name === 'answer')!;
    const send = spans.find((s) => s.name === 'send query-results')!;
    expect(send.spanContext().traceId).toBe(answer.spanContext().traceId);
    expect(send.parentSpanId).toBe(answer.spanContext().spanId);
    expect(send.links).toEqual([]);
    expect(String(producer.sent[0]!.messages[0]!.headers?.traceparent).split('-')[2]).toBe(
      send.spanContext().spanId,
    );
  });

  it('when a batch is consumed, then one receive span parents a process span per message, each linked to its producer', async () => {
    const messages = await sentAndConsumed(['a', 'b', 'c'], 40);
    await resetSpans();
    await traceBatch({ topic: 'documents', partition: 3, messages }, (traced) => {
      traced.fail(messages[1]!, new Error('bad json'));
      return traced.handOff([messages[0]!, messages[2]!], () => Promise.resolve());
    });
    const spans = await finished();
    const receive = spans.find((s) => s.name === 'receive documents')!;
    const processes = spans.filter((s) => s.name === 'process documents');
    expect(receive.kind).toBe(SpanKind.CONSUMER);
    expect(receive.attributes['messaging.batch.message_count']).toBe(3);
    expect(receive.attributes['messaging.destination.partition.id']).toBe('3');
    processes.sort(
      (a, b) =>
        Number(a.attributes['messaging.kafka.offset']) - Number(b.attributes['messaging.kafka.offset']),
    );
    expect(processes.map((s) => s.attributes['messaging.kafka.offset'])).toEqual([40, 41, 42]);
    for (const [i, p] of processes.entries()) {
      expect(p.spanContext().traceId).toBe(receive.spanContext().traceId);
      expect(p.parentSpanId).toBe(receive.spanContext().spanId);
      expect(p.links[0]!.context.spanId).toBe(String(messages[i]!.headers!.traceparent).split('-')[2]);
    }
    expect(processes.map((p) => p.status.code)).toEqual([0, 2, 0]);
  });

  it('when a sub-batch holds one message, then its hand-off continues the producer trace', async () => {
    const [message] = await sentAndConsumed(['a']);
    const producerTraceId = String(message!.headers!.traceparent).split('-')[1];
    let innerTraceId: string | undefined;
    await traceBatch({ topic: 'documents', partition: 0, messages: [message!] }, (traced) =>
      traced.handOff([message!], () => {
        innerTraceId = trace.getActiveSpan()?.spanContext().traceId;
        return Promise.resolve();
      }),
    );
    const spans = await finished();
    const handOff = spans.find((s) => s.name === 'hand-off documents')!;
    const receive = spans.find((s) => s.name === 'receive documents')!;
    expect(handOff.spanContext().traceId).toBe(producerTraceId);
    expect(innerTraceId).toBe(producerTraceId);
    // Linked to the receive span only: a link to its own parent would read as a second parent.
    expect(handOff.links.map((l) => l.context.spanId)).toEqual([receive.spanContext().spanId]);
    expect(handOff.parentSpanId).toBe(String(message!.headers!.traceparent).split('-')[2]);
  });

  it('when a sub-batch mixes traces, then its hand-off is a child of the receive span linked to every producer', async () => {
    const messages = await sentAndConsumed(['a', 'b']);
    await traceBatch({ topic: 'documents', partition: 0, messages }, (traced) =>
      traced.handOff(messages, () => Promise.resolve()),
    );
    const spans = await finished();
    const handOff = spans.find((s) => s.name === 'hand-off documents')!;
    const receive = spans.find((s) => s.name === 'receive documents')!;
    expect(handOff.parentSpanId).toBe(receive.spanContext().spanId);
    expect(handOff.links).toHaveLength(2);
    expect(handOff.attributes['messaging.batch.message_count']).toBe(2);
  });

  it('when the handler leaves a tail for the next fetch, then only the messages it processed get process spans', async () => {
    const messages = await sentAndConsumed(['a', 'b', 'c'], 7);
    await resetSpans();
    await traceBatch({ topic: 'documents', partition: 0, messages }, (traced) =>
      traced.handOff([messages[0]!], () => Promise.resolve()),
    );
    const spans = await finished();
    const processes = spans.filter((s) => s.name === 'process documents');
    expect(processes.map((s) => s.attributes['messaging.kafka.offset'])).toEqual([7]);
    expect(
      spans.find((s) => s.name === 'receive documents')!.attributes['messaging.batch.message_count'],
    ).toBe(3);
  });

  it('when the batch handler throws, then the receive span records the error and every span still ends', async () => {
    const messages = await sentAndConsumed(['a']);
    await resetSpans();
    await expect(
      traceBatch({ topic: 'documents', partition: 0, messages }, () =>
        Promise.reject(new Error('temporal down')),
      ),
    ).rejects.toThrow('temporal down');
    const spans = await finished();
    // Nothing was processed: no process span, and the message gets one on its next fetch.
    expect(spans.map((s) => s.name).sort()).toEqual(['receive documents']);
    expect(spans.find((s) => s.name === 'receive documents')!.status).toEqual({
      code: 2,
      message: 'temporal down',
    });
  });
});
