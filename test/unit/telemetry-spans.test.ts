import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { qdrantRequestDuration } from '../../src/metrics/registry.ts';
import {
  flushTelemetry,
  getTelemetry,
  shutdownTelemetry,
  startTelemetry,
} from '../../src/telemetry/bootstrap.ts';
import { withQdrantSpan } from '../../src/telemetry/qdrant-span.ts';
import { activeTraceId, withSpan } from '../../src/telemetry/spans.ts';
import {
  temporalClientInterceptors,
  temporalWorkerTelemetry,
  temporalWorkflowInterceptorModules,
} from '../../src/telemetry/temporal.ts';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  startTelemetry({ role: 'unit', enabled: true, endpoint: 'http://localhost:4317', exporter });
});
afterAll(() => shutdownTelemetry());
beforeEach(async () => {
  await flushTelemetry();
  exporter.reset();
});

async function finished() {
  await flushTelemetry();
  return exporter.getFinishedSpans();
}

async function histogramCount(labels: { operation: string; outcome: string }): Promise<number> {
  const metric = await qdrantRequestDuration.get();
  return (
    metric.values.find(
      (v) =>
        v.metricName?.endsWith('_count') &&
        v.labels.operation === labels.operation &&
        v.labels.outcome === labels.outcome,
    )?.value ?? 0
  );
}

describe('withSpan', () => {
  it('when fn succeeds, then its result is returned, the span is active inside and ends with attributes', async () => {
    let inside: string | undefined;
    const result = await withSpan('chunk', { 'embedstream.chunks': 3 }, () => {
      inside = activeTraceId();
      return 42;
    });
    const [span] = await finished();
    expect(result).toBe(42);
    expect(span!.name).toBe('chunk');
    expect(span!.attributes['embedstream.chunks']).toBe(3);
    expect(inside).toBe(span!.spanContext().traceId);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('when fn throws, then the error is rethrown and recorded as an exception with status ERROR', async () => {
    await expect(withSpan('tokenize', {}, () => Promise.reject(new TypeError('bad text')))).rejects.toThrow(
      'bad text',
    );
    const [span] = await finished();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad text' });
    expect(span!.events[0]!.name).toBe('exception');
    expect(span!.events[0]!.attributes!['exception.type']).toBe('TypeError');
  });

  it('when nested, then the inner span is a child of the outer one', async () => {
    await withSpan('outer', {}, () => withSpan('inner', {}, () => undefined));
    const spans = await finished();
    const outer = spans.find((s) => s.name === 'outer')!;
    expect(spans.find((s) => s.name === 'inner')!.parentSpanId).toBe(outer.spanContext().spanId);
  });
});

describe('withQdrantSpan', () => {
  it('when a call succeeds, then a CLIENT span carries the db attributes and the ok histogram counts it', async () => {
    const before = await histogramCount({ operation: 'upsert', outcome: 'ok' });
    await withQdrantSpan('upsert', { collection: 'docs', points: 8, bytes: 4096 }, () => Promise.resolve());
    const [span] = await finished();
    expect(span!.name).toBe('qdrant.upsert');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toMatchObject({
      'db.system.name': 'qdrant',
      'db.operation.name': 'upsert',
      'db.collection.name': 'docs',
      'embedstream.qdrant.points': 8,
      'embedstream.qdrant.bytes': 4096,
    });
    expect(await histogramCount({ operation: 'upsert', outcome: 'ok' })).toBe(before + 1);
  });

  it('when a call fails, then the outcome label is the classified error', async () => {
    const before = await histogramCount({ operation: 'query', outcome: 'timeout' });
    await expect(
      withQdrantSpan(
        'query',
        { topK: 10 },
        () => Promise.reject(new Error('slow')),
        () => 'timeout',
      ),
    ).rejects.toThrow('slow');
    expect(await histogramCount({ operation: 'query', outcome: 'timeout' })).toBe(before + 1);
    const [span] = await finished();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('temporal wiring when tracing is on', () => {
  it('when tracing is enabled, then clients get the OpenTelemetry interceptor and workers the sink and modules', () => {
    expect(getTelemetry()?.enabled).toBe(true);
    expect(temporalClientInterceptors().workflow).toHaveLength(1);
    const worker = temporalWorkerTelemetry();
    expect(worker.interceptors.workflowModules?.[0]).toMatch(
      /interceptors-opentelemetry\/lib\/workflow-interceptors\.js$/,
    );
    expect(worker.interceptors.activity).toHaveLength(2);
    expect(Object.keys(worker.sinks)).toEqual(['exporter']);
    expect(temporalWorkflowInterceptorModules()).toEqual(worker.interceptors.workflowModules);
  });

  it('when the workflow sink exports a sandbox span, then it leaves through the same processor with the worker resource', async () => {
    const { sinks } = temporalWorkerTelemetry();
    const exporterSink = (
      sinks as { exporter: { export: { fn: (info: unknown, spans: unknown[]) => void } } }
    ).exporter;
    const ctx = trace
      .wrapSpanContext({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
      })
      .spanContext();
    exporterSink.export.fn({ workflowId: 'w' }, [
      {
        name: 'RunWorkflow:ingest',
        kind: SpanKind.INTERNAL,
        spanContext: ctx,
        startTime: [1, 0],
        endTime: [2, 0],
        status: { code: 0 },
        attributes: {},
        links: [],
        events: [],
        duration: [1, 0],
        ended: true,
        droppedAttributesCount: 0,
        droppedLinksCount: 0,
        droppedEventsCount: 0,
        instrumentationLibrary: { name: 'temporal' },
      },
    ]);
    const [span] = await finished();
    expect(span!.name).toBe('RunWorkflow:ingest');
    expect(span!.resource.attributes['service.name']).toBe('embedstream-unit');
  });
});
