import { describe, expect, it } from 'vitest';
import { analyzeTraces } from '../../src/telemetry/report/analysis.ts';
import { embeddingFigures, qdrantFigures } from '../../src/telemetry/report/cost-figures.ts';
import { recommend } from '../../src/telemetry/report/recommendations.ts';
import type { ReportSpan, ReportTrace } from '../../src/telemetry/report/trace-model.ts';

function span(
  spanId: string,
  name: string,
  startUs: number,
  durationUs: number,
  parentSpanId?: string,
  attributes: ReportSpan['attributes'] = {},
): ReportSpan {
  return {
    traceId: 't',
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    service: 'embedstream-worker',
    startUs,
    durationUs,
    error: false,
    attributes,
    linkedTraceIds: [],
  };
}

const trace = (spans: ReportSpan[]): ReportTrace => ({ traceId: 't', spans });

function rulesFor(traces: ReportTrace[]) {
  const recs = recommend(analyzeTraces(traces), embeddingFigures(traces), qdrantFigures(traces));
  return recs;
}

describe('embeddingFigures', () => {
  it('when two batches carry token attributes, then padding is 1 − Σreal/Σpadded and means are per batch', () => {
    const t = trace([
      span('1', 'embed.batch', 0, 10, undefined, {
        'embedstream.embed.texts': 10,
        'embedstream.embed.real_tokens': 100,
        'embedstream.embed.padded_tokens': 200,
        'embedstream.embed.queued_ms': 5,
        'embedstream.embed.run_ms': 20,
        'embedstream.embed.budget': 512,
      }),
      span('2', 'embed.batch', 0, 10, undefined, {
        'embedstream.embed.texts': 30,
        'embedstream.embed.real_tokens': 300,
        'embedstream.embed.padded_tokens': 400,
        'embedstream.embed.queued_ms': 15,
        'embedstream.embed.run_ms': 40,
        'embedstream.embed.budget': 1024,
      }),
    ]);
    const f = embeddingFigures([t])!;
    expect(f).toMatchObject({
      batches: 2,
      texts: 40,
      realTokens: 400,
      paddedTokens: 600,
      meanTextsPerBatch: 20,
      meanQueuedMs: 10,
      meanRunMs: 30,
      maxBudgetTokens: 1024,
    });
    expect(f.paddingRatio).toBeCloseTo(1 / 3, 10);
  });

  it('when batches carry no timing or budget attributes, then those figures are null, not zero', () => {
    const t = trace([
      span('1', 'embed.batch', 0, 10, undefined, {
        'embedstream.embed.real_tokens': 60,
        'embedstream.embed.padded_tokens': 100,
      }),
    ]);
    expect(embeddingFigures([t])).toMatchObject({
      meanQueuedMs: null,
      meanRunMs: null,
      maxBudgetTokens: null,
    });
    const rec = rulesFor([t]).find((r) => r.rule === 'padding-high');
    expect(rec?.text).toBe(
      '40 % of the tokens the model computed were padding (60 real of 100): lower EMBED_TOKEN_BUDGET_MAX so each batch holds texts of closer lengths.',
    );
  });

  it('when no embed.batch span was read, then there are no embedding figures', () => {
    expect(embeddingFigures([trace([span('1', 'ingest', 0, 1)])])).toBeUndefined();
  });
});

describe('qdrantFigures', () => {
  it('when upserts of known durations were read, then p50/p99 and mean points follow', () => {
    const spans = [10, 20, 30, 40].map((ms, i) =>
      span(String(i), 'qdrant.upsert', 0, ms * 1000, undefined, {
        'embedstream.qdrant.points': (i + 1) * 10,
      }),
    );
    expect(qdrantFigures([trace(spans)])).toEqual([
      { operation: 'upsert', calls: 4, meanPoints: 25, p50Ms: 20, p99Ms: 40 },
    ]);
  });
});

describe('qdrantFigures without point counts', () => {
  it('when calls carry no point count (collection management), then there is no mean, not a zero', () => {
    expect(qdrantFigures([trace([span('c', 'qdrant.collection_exists', 0, 2000)])])).toEqual([
      { operation: 'collection_exists', calls: 1, meanPoints: null, p50Ms: 2, p99Ms: 2 },
    ]);
  });
});

describe('recommend', () => {
  it('when embedding holds 85 % of self time, then it says so and suggests more workers or int8', () => {
    const recs = rulesFor([trace([span('r', 'ingest', 0, 1000), span('e', 'embed.batch', 0, 850, 'r')])]);
    const rec = recs.find((r) => r.rule === 'embedding-bound');
    expect(rec?.text).toContain('Embedding holds 85 %');
    expect(rec?.text).toContain('EMBED_PRECISION=int8');
  });

  it('when 40 % of computed tokens are padding, then it suggests a smaller token budget', () => {
    const recs = rulesFor([
      trace([
        span('e', 'embed.batch', 0, 10, undefined, {
          'embedstream.embed.real_tokens': 600,
          'embedstream.embed.padded_tokens': 1000,
          'embedstream.embed.budget': 4096,
        }),
      ]),
    ]);
    const rec = recs.find((r) => r.rule === 'padding-high');
    expect(rec?.text).toMatch(/^40 % of the tokens/);
    expect(rec?.text).toContain('EMBED_TOKEN_BUDGET_MAX');
    expect(rec?.text).toContain('4096');
  });

  it('when upsert p99 is 300 ms, then it suggests larger batches', () => {
    const spans = [
      span('r', 'ingest', 0, 400_000),
      ...[5, 5, 5, 300].map((ms, i) =>
        span(String(i), 'qdrant.upsert', i * 1000, ms * 1000, 'r', { 'embedstream.qdrant.points': 8 }),
      ),
    ];
    const rec = rulesFor([trace(spans)]).find((r) => r.rule === 'upsert-slow');
    expect(rec?.text).toBe(
      'Qdrant upsert p99 is 300 ms (p50 5 ms, 8 points per call): send larger batches so the per-request cost is paid less often.',
    );
  });

  it('when queue wait exceeds inference time, then it calls the engine saturated', () => {
    const recs = rulesFor([
      trace([
        span('e', 'embed.batch', 0, 10, undefined, {
          'embedstream.embed.queued_ms': 120,
          'embedstream.embed.run_ms': 40,
        }),
      ]),
    ]);
    expect(recs.map((r) => r.rule)).toContain('embedding-queue');
  });

  it('when a workflow start is slow at p95, then it names the span', () => {
    const recs = rulesFor([trace([span('s', 'StartWorkflow:ingestBatch', 0, 450_000)])]);
    expect(recs.find((r) => r.rule === 'workflow-start-slow')?.text).toContain(
      'StartWorkflow:ingestBatch p95 is 450 ms',
    );
  });

  it('when spans failed, then it lists the stages and counts', () => {
    const failed = { ...span('q', 'qdrant.upsert', 0, 10), error: true };
    expect(rulesFor([trace([failed])]).find((r) => r.rule === 'errors')?.text).toContain('qdrant.upsert ×1');
  });

  it('when activities wait long for a worker slot, then it says so', () => {
    // StartActivity [0,1000) holds RunActivity [600,1000): it is innermost for 600 of 1000 µs.
    const recs = rulesFor([
      trace([
        span('s', 'StartActivity:ingestDocuments', 0, 1000),
        span('r', 'RunActivity:ingestDocuments', 600, 400, 's'),
      ]),
    ]);
    expect(recs.find((r) => r.rule === 'activity-wait')?.text).toBe(
      'Activities ingestDocuments waited to start for 60 % of the wall time: the workers are busy; run more worker processes.',
    );
  });

  it('when journeys spend long with no span open, then it points at Kafka', () => {
    const recs = rulesFor([
      trace([span('s', 'send documents', 0, 100), span('h', 'hand-off documents', 900, 100, 's')]),
    ]);
    expect(recs.find((r) => r.rule === 'untraced-gap')?.text).toMatch(
      /^80 % of the wall time had no span open/,
    );
  });

  it('when nothing crosses a threshold, then it reports the largest stage and nothing else', () => {
    const recs = rulesFor([trace([span('r', 'ingest', 0, 1000), span('e', 'embed.batch', 0, 300, 'r')])]);
    expect(recs).toEqual([
      {
        rule: 'balanced',
        text: 'No stage stands out: the largest, ingest, holds 70 % of the wall time (p95 1.0 ms).',
      },
    ]);
  });

  it('when there are no traces, then it says where to look', () => {
    expect(rulesFor([]).map((r) => r.rule)).toEqual(['no-traces']);
  });
});
