import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import {
  flushTelemetry,
  serviceNameFor,
  shutdownTelemetry,
  startTelemetry,
} from '../../src/telemetry/bootstrap.ts';
import { buildReport, type BottleneckReport } from '../../src/telemetry/report/bottleneck-report.ts';
import { JaegerClient } from '../../src/telemetry/report/jaeger-client.ts';
import type { ReportTrace } from '../../src/telemetry/report/trace-model.ts';
import { uniqueName } from '../helpers/names.ts';

// Ten traces with known durations go through the real OTLP exporter into Jaeger; the report read
// back must give the figures computed here by hand.
//   trace i (1..10): ingest 100·i ms  ⊃  embed.batch [0, 60·i) ms  then  qdrant.upsert [60·i, 90·i) ms
// so embed.batch holds 60 % of the wall time, qdrant.upsert 30 %, ingest's own time 10 %;
// nearest-rank p50 is trace 5's figure, p95 and p99 trace 10's.
const config = loadConfig();
const role = uniqueName('report-test');
const service = serviceNameFor(role);
const N = 10;
const base = Date.now() - 60_000;
const traceIds: string[] = [];

function emitTraces(): void {
  const tracer = trace.getTracer('embedstream');
  for (let i = 1; i <= N; i++) {
    const t0 = base + i * 2000;
    const root = tracer.startSpan('ingest', { startTime: t0 });
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    const embed = tracer.startSpan(
      'embed.batch',
      {
        startTime: t0,
        attributes: {
          'embedstream.embed.texts': 4 * i,
          'embedstream.embed.real_tokens': 100 * i,
          'embedstream.embed.padded_tokens': 160 * i,
        },
      },
      parent,
    );
    embed.end(t0 + 60 * i);
    const upsert = tracer.startSpan(
      'qdrant.upsert',
      { startTime: t0 + 60 * i, attributes: { 'embedstream.qdrant.points': 4 * i } },
      parent,
    );
    upsert.end(t0 + 90 * i);
    root.end(t0 + 100 * i);
    traceIds.push(root.spanContext().traceId);
  }
}

async function readBack(): Promise<ReportTrace[]> {
  const client = new JaegerClient(config.jaegerQueryUrl);
  const deadline = Date.now() + 30_000;
  let traces: ReportTrace[] = [];
  while (Date.now() < deadline) {
    traces = await client.traces({
      services: [service],
      startMs: base,
      endMs: Date.now() + 1000,
      limit: 100,
    });
    if (traces.length === N && traces.every((t) => t.spans.length === 3)) return traces;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Jaeger holds ${traces.length} of ${N} traces of ${service} after 30 s`);
}

let report: BottleneckReport;

beforeAll(async () => {
  startTelemetry({ role, enabled: true, endpoint: config.otlpEndpoint });
  emitTraces();
  await flushTelemetry();
  report = buildReport(await readBack(), { since: '5m', startMs: base, endMs: Date.now() });
});
afterAll(() => shutdownTelemetry());

describe('traces report against the real Jaeger', () => {
  const stage = (name: string) => report.analysis.stages.find((s) => s.name === name)!;

  it('when ten known traces are read back, then counts and wall time match what was sent', () => {
    expect(report.analysis.traces).toBe(N);
    expect(report.analysis.spans).toBe(3 * N);
    expect(report.services).toEqual([service]);
    // Σ 100·i ms for i = 1..10 = 5500 ms
    expect(report.analysis.wallUs).toBe(5_500_000);
  });

  it('when per-stage percentiles are computed, then they are the hand-computed nearest-rank durations', () => {
    expect(stage('embed.batch')).toMatchObject({
      count: N,
      p50Us: 300_000,
      p95Us: 600_000,
      p99Us: 600_000,
      maxUs: 600_000,
    });
    expect(stage('qdrant.upsert')).toMatchObject({
      count: N,
      p50Us: 150_000,
      p95Us: 300_000,
      p99Us: 300_000,
    });
    expect(stage('ingest')).toMatchObject({ count: N, p50Us: 500_000, p99Us: 1_000_000, selfUs: 550_000 });
  });

  it('when shares are computed, then embedding holds 60 %, upserts 30 % and the root 10 % of the wall time', () => {
    expect(stage('embed.batch').wallShare).toBeCloseTo(0.6, 9);
    expect(stage('qdrant.upsert').wallShare).toBeCloseTo(0.3, 9);
    expect(stage('ingest').wallShare).toBeCloseTo(0.1, 9);
    expect(report.analysis.gapUs).toBe(0);
  });

  it('when the slowest traces are listed, then the first is trace 10 with its id and 1 s of wall time', () => {
    expect(report.analysis.slowest[0]).toMatchObject({
      traceId: traceIds[N - 1],
      wallUs: 1_000_000,
      rootName: 'ingest',
      dominantStage: 'embed.batch',
      dominantUs: 600_000,
    });
    expect(report.analysis.slowest.map((t) => t.traceId)).toEqual(traceIds.slice(-5).reverse());
  });

  it('when recommendations are drawn, then they follow from these figures', () => {
    // padding: 1 − Σ100·i / Σ160·i = 37.5 %; upsert p99 300 ms ≥ 250 ms; embedding 60 % ≥ 50 %.
    expect(report.embedding?.paddingRatio).toBeCloseTo(0.375, 9);
    expect(report.recommendations.map((r) => r.rule)).toEqual([
      'embedding-bound',
      'padding-high',
      'upsert-slow',
    ]);
    expect(report.recommendations[0]!.text).toContain('Embedding holds 60 %');
  });

  it('when the CLI runs, then its JSON and HTML outputs carry the same figures', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'traces-report-'));
    const html = path.join(dir, 'report.html');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'bin/embedstream.js',
        'traces',
        'report',
        '--service',
        service,
        '--since',
        '5m',
        '--json',
        '--out',
        html,
      ],
      { env: { ...process.env, JAEGER_QUERY_URL: config.jaegerQueryUrl } },
    );
    const fromCli = JSON.parse(stdout) as BottleneckReport;
    expect(fromCli.analysis.stages).toEqual(report.analysis.stages);
    expect(fromCli.analysis.slowest).toEqual(report.analysis.slowest);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain(traceIds[N - 1]);
  });
});
