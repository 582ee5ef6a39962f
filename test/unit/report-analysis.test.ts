import { describe, expect, it } from 'vitest';
import { analyzeTraces, coveredLength, percentile, selfTimes } from '../../src/telemetry/report/analysis.ts';
import type { ReportSpan, ReportTrace } from '../../src/telemetry/report/trace-model.ts';
import { groupTraces } from '../../src/telemetry/report/trace-model.ts';
import { attributeWallTime } from '../../src/telemetry/report/wall-attribution.ts';

function span(
  traceId: string,
  spanId: string,
  name: string,
  startUs: number,
  durationUs: number,
  parentSpanId?: string,
  extra: Partial<ReportSpan> = {},
): ReportSpan {
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    service: 'embedstream-worker',
    startUs,
    durationUs,
    error: false,
    attributes: {},
    linkedTraceIds: [],
    ...extra,
  };
}

// Trace A: a root with two overlapping children, one of which has a child of its own.
//   ingest        [0, 1000)
//   embed.batch   [100, 600)
//   qdrant.upsert [500, 900)   overlaps embed.batch on [500, 600)
//   POST          [550, 650)   child of qdrant.upsert
const traceA: ReportTrace = {
  traceId: 'a',
  spans: [
    span('a', 'a1', 'ingest', 0, 1000),
    span('a', 'a2', 'embed.batch', 100, 500, 'a1'),
    span('a', 'a3', 'qdrant.upsert', 500, 400, 'a1'),
    span('a', 'a4', 'POST', 550, 100, 'a3'),
  ],
};
// Trace B: a child that outlives its parent (a workflow outliving the client call that started it).
//   ingest               [10000, 12000)
//   embed.batch          [10000, 11500)
//   StartWorkflow:ingest [11800, 13000)  only [11800, 12000) falls inside the parent
const traceB: ReportTrace = {
  traceId: 'b',
  spans: [
    span('b', 'b1', 'ingest', 10_000, 2000),
    span('b', 'b2', 'embed.batch', 10_000, 1500, 'b1', { error: true }),
    span('b', 'b3', 'StartWorkflow:ingest', 11_800, 1200, 'b1'),
  ],
};

describe('percentile', () => {
  it('when asked for p50/p95/p99 of 1..100, then it returns the nearest-rank values 50, 95, 99', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99)]).toEqual([50, 95, 99]);
  });

  it('when there are ten values, then p95 is the largest and p50 the fifth', () => {
    const xs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(xs, 95)).toBe(100);
    expect(percentile(xs, 50)).toBe(50);
  });

  it('when there is one value or none, then every percentile is that value or 0', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('coveredLength', () => {
  it('when intervals overlap and stick out of the window, then the union inside the window is measured', () => {
    expect(
      coveredLength(
        [
          [0, 10],
          [5, 15],
          [20, 30],
        ],
        0,
        25,
      ),
    ).toBe(20);
    expect(
      coveredLength(
        [
          [20, 30],
          [0, 10],
        ],
        12,
        18,
      ),
    ).toBe(0);
  });
});

describe('selfTimes', () => {
  it('when children overlap, then their union is subtracted once', () => {
    // 1000 − |[100, 900)| = 200; 400 − 100 = 300
    expect(Object.fromEntries(selfTimes(traceA))).toEqual({ a1: 200, a2: 500, a3: 300, a4: 100 });
  });

  it('when a child outlives its parent, then only the part inside the parent is subtracted', () => {
    const self = selfTimes(traceB);
    // 2000 − (1500 + 200) = 300
    expect(self.get('b1')).toBe(300);
    expect(self.get('b3')).toBe(1200);
  });
});

describe('attributeWallTime', () => {
  it('when two children run in parallel, then each instant is split between the innermost open spans', () => {
    // [0,100) ingest; [100,500) embed; [500,550) embed+upsert halves; [550,600) embed+POST halves;
    // [600,650) POST; [650,900) upsert; [900,1000) ingest.
    const { byStage, gapUs, wallUs } = attributeWallTime(traceA);
    expect(Object.fromEntries(byStage)).toEqual({
      ingest: 200,
      'embed.batch': 450,
      'qdrant.upsert': 275,
      POST: 75,
    });
    expect([gapUs, wallUs]).toEqual([0, 1000]);
  });

  it('when a child outlives its parent, then the child holds the time after the parent ended', () => {
    const { byStage, wallUs } = attributeWallTime(traceB);
    expect(Object.fromEntries(byStage)).toEqual({
      'embed.batch': 1500,
      ingest: 300,
      'StartWorkflow:ingest': 1200,
    });
    expect(wallUs).toBe(3000);
  });

  it('when no span is open between a send and the hand-off it started, then that time is the gap', () => {
    const t: ReportTrace = {
      traceId: 'g',
      spans: [
        span('g', 'g1', 'send documents', 0, 100),
        span('g', 'g2', 'hand-off documents', 400, 100, 'g1'),
      ],
    };
    const { byStage, gapUs, wallUs } = attributeWallTime(t);
    expect(Object.fromEntries(byStage)).toEqual({ 'send documents': 100, 'hand-off documents': 100 });
    expect([gapUs, wallUs]).toEqual([300, 500]);
  });

  it('when a child starts before its parent (clock skew), then the parent does not take the shared time', () => {
    const t: ReportTrace = {
      traceId: 's',
      spans: [span('s', 'p', 'parent', 100, 400), span('s', 'c', 'child', 50, 200, 'p')],
    };
    // [50,250) child; [250,500) parent
    expect(Object.fromEntries(attributeWallTime(t).byStage)).toEqual({ child: 200, parent: 250 });
  });

  it('when a span takes no time, then it takes no share and breaks nothing', () => {
    const t: ReportTrace = {
      traceId: 'z',
      spans: [span('z', 'r', 'root', 0, 10), span('z', 'i', 'instant', 5, 0, 'r')],
    };
    expect(Object.fromEntries(attributeWallTime(t).byStage)).toEqual({ root: 10 });
  });
});

describe('analyzeTraces', () => {
  const analysis = analyzeTraces([traceA, traceB]);
  const stage = (name: string) => analysis.stages.find((s) => s.name === name)!;

  it('when two traces are read, then wall time is each first start to last end, summed', () => {
    expect(analysis).toMatchObject({
      traces: 2,
      sharedTraces: 0,
      spans: 7,
      wallUs: 4000,
      gapUs: 0,
      gapShare: 0,
    });
  });

  it('when stages are ranked, then the one holding most wall time comes first and shares add up to 1', () => {
    // embed 450 + 1500, StartWorkflow 1200, ingest 200 + 300, upsert 275, POST 75 (of 4000)
    expect(analysis.stages.map((s) => [s.name, s.wallUs])).toEqual([
      ['embed.batch', 1950],
      ['StartWorkflow:ingest', 1200],
      ['ingest', 500],
      ['qdrant.upsert', 275],
      ['POST', 75],
    ]);
    expect(analysis.stages.reduce((a, s) => a + s.wallShare, 0)).toBeCloseTo(1, 12);
    expect(stage('embed.batch').wallShare).toBeCloseTo(1950 / 4000, 12);
  });

  it('when a stage has two spans, then count, percentiles, self time and errors follow from them', () => {
    expect(stage('embed.batch')).toMatchObject({
      count: 2,
      totalUs: 2000,
      selfUs: 2000,
      p50Us: 500,
      p95Us: 1500,
      p99Us: 1500,
      maxUs: 1500,
      errors: 1,
      shared: false,
    });
    expect(stage('ingest')).toMatchObject({ count: 2, p50Us: 1000, p99Us: 2000, selfUs: 500, errors: 0 });
  });

  it('when listing the slowest traces, then they are ordered by wall time with their dominant stage', () => {
    expect(analysis.slowest).toEqual([
      {
        traceId: 'b',
        rootName: 'ingest',
        service: 'embedstream-worker',
        wallUs: 3000,
        spans: 3,
        dominantStage: 'embed.batch',
        dominantUs: 1500,
      },
      {
        traceId: 'a',
        rootName: 'ingest',
        service: 'embedstream-worker',
        wallUs: 1000,
        spans: 4,
        dominantStage: 'embed.batch',
        dominantUs: 450,
      },
    ]);
    expect(analyzeTraces([traceA, traceB], { slowest: 1 }).slowest.map((t) => t.traceId)).toEqual(['b']);
  });

  it('when nothing was read, then every figure is zero and nothing divides by zero', () => {
    expect(analyzeTraces([])).toEqual({
      traces: 0,
      sharedTraces: 0,
      spans: 0,
      wallUs: 0,
      gapUs: 0,
      gapShare: 0,
      stages: [],
      slowest: [],
    });
  });
});

describe('analyzeTraces with shared-work traces', () => {
  // A journey of 1000 µs, and an embedding batch that ran 600 µs on its behalf in a trace of its own.
  const journey: ReportTrace = { traceId: 'j', spans: [span('j', 'j1', 'ingest', 0, 1000)] };
  const batch: ReportTrace = { traceId: 'e', spans: [span('e', 'e1', 'embed.batch', 200, 600)] };

  it('when a batch is its own trace, then shares are over the journeys and the batch is not counted twice', () => {
    const analysis = analyzeTraces([journey, batch]);
    expect(analysis).toMatchObject({ traces: 2, sharedTraces: 1, wallUs: 1000 });
    expect(analysis.stages.find((s) => s.name === 'embed.batch')).toMatchObject({
      shared: true,
      wallUs: 600,
      wallShare: 0.6,
    });
    expect(analysis.stages.find((s) => s.name === 'ingest')).toMatchObject({ shared: false, wallShare: 1 });
    expect(analysis.slowest.map((t) => t.traceId)).toEqual(['j']);
  });

  it('when only shared-work traces were read, then they are the journeys', () => {
    const analysis = analyzeTraces([batch]);
    expect(analysis).toMatchObject({ traces: 1, sharedTraces: 1, wallUs: 600 });
    expect(analysis.stages[0]).toMatchObject({ name: 'embed.batch', wallShare: 1, shared: false });
  });
});

describe('groupTraces', () => {
  it('when the same span arrives twice (found through two services), then it is kept once', () => {
    const s = span('t', 's1', 'x', 0, 1);
    const grouped = groupTraces([s, { ...s }, span('t', 's2', 'y', 0, 1), span('u', 's3', 'z', 0, 1)]);
    expect(grouped.map((t) => [t.traceId, t.spans.length])).toEqual([
      ['t', 2],
      ['u', 1],
    ]);
  });
});
