import { SPAN } from '../semconv.ts';
import type { ReportSpan, ReportTrace } from './trace-model.ts';

/**
 * Root span names of shared-work traces: work done once for many journeys (an embedding batch
 * packs texts of many activities), so it is its own trace. Its figures are listed, but the shares
 * are taken over the journeys' time, or the batch's time would be counted twice.
 */
export const SHARED_WORK_ROOTS: ReadonlySet<string> = new Set([SPAN.embedBatch]);

/** Figures of one stage: every span of one name, across the traces read. */
export interface StageStats {
  name: string;
  services: string[];
  count: number;
  errors: number;
  /** Sum of the spans' durations (µs). */
  totalUs: number;
  /** Sum of the spans' self times: duration minus the time covered by their children (µs). */
  selfUs: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  /** totalUs over the sum of the journeys' wall times; a parent's share includes its children's. */
  wallShare: number;
  /** selfUs over the journeys' self time: the shares of the journeys' stages add up to 1. */
  selfShare: number;
  /** Seen only in shared-work traces: its shares compare its time with the journeys' time. */
  shared: boolean;
}

export interface SlowTrace {
  traceId: string;
  rootName: string;
  service: string;
  wallUs: number;
  spans: number;
  /** The stage with the most self time in this trace. */
  dominantStage: string;
  dominantSelfUs: number;
}

export interface TraceAnalysis {
  traces: number;
  /** Of which shared-work traces (see SHARED_WORK_ROOTS). */
  sharedTraces: number;
  spans: number;
  /** Sum over the journeys of (last end − first start) (µs); over all traces when all are shared work. */
  wallUs: number;
  /** Sum of the journeys' span self times (µs); the denominator of every selfShare. */
  selfUs: number;
  stages: StageStats[];
  slowest: SlowTrace[];
}

/** Nearest-rank percentile of ascending `sorted`: the value at rank ⌈p/100 · n⌉. 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Length of the union of [start, end) intervals, each clipped to [lo, hi). */
export function coveredLength(intervals: readonly [number, number][], lo: number, hi: number): number {
  const clipped = intervals
    .map(([s, e]): [number, number] => [Math.max(s, lo), Math.min(e, hi)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [s, e] of clipped) {
    if (s > curEnd) {
      if (curEnd > curStart) covered += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else {
      curEnd = Math.max(curEnd, e);
    }
  }
  if (curEnd > curStart) covered += curEnd - curStart;
  return covered;
}

/**
 * Self time of each span of a trace: its duration minus the union of its children's intervals
 * clipped to its own. Children running in parallel are counted once; a child outliving its
 * parent (a workflow outliving the client call that started it) is counted only while the parent ran.
 */
export function selfTimes(trace: ReportTrace): Map<string, number> {
  const children = new Map<string, [number, number][]>();
  for (const s of trace.spans) {
    if (s.parentSpanId === undefined) continue;
    let list = children.get(s.parentSpanId);
    if (!list) children.set(s.parentSpanId, (list = []));
    list.push([s.startUs, s.startUs + s.durationUs]);
  }
  const out = new Map<string, number>();
  for (const s of trace.spans) {
    const end = s.startUs + s.durationUs;
    out.set(s.spanId, s.durationUs - coveredLength(children.get(s.spanId) ?? [], s.startUs, end));
  }
  return out;
}

/** Wall time of a trace: from its first span's start to its last span's end. */
export function wallTime(trace: ReportTrace): number {
  if (trace.spans.length === 0) return 0;
  let start = Infinity;
  let end = -Infinity;
  for (const s of trace.spans) {
    start = Math.min(start, s.startUs);
    end = Math.max(end, s.startUs + s.durationUs);
  }
  return end - start;
}

function rootOf(trace: ReportTrace): ReportSpan | undefined {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const roots = trace.spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId));
  return roots.sort((a, b) => a.startUs - b.startUs)[0];
}

export interface AnalysisOptions {
  /** Slowest journeys to list. */
  slowest?: number;
  sharedRoots?: ReadonlySet<string>;
}

/** Per-stage figures and the slowest traces. Pure: the same traces always give the same figures. */
export function analyzeTraces(traces: readonly ReportTrace[], options: AnalysisOptions = {}): TraceAnalysis {
  const { slowest: slowestCount = 5, sharedRoots = SHARED_WORK_ROOTS } = options;
  interface Acc {
    durations: number[];
    selfUs: number;
    errors: number;
    services: Set<string>;
    inJourney: boolean;
  }
  const stages = new Map<string, Acc>();
  const slow: SlowTrace[] = [];
  const isShared = (t: ReportTrace): boolean => sharedRoots.has(rootOf(t)?.name ?? '');
  const sharedCount = traces.filter(isShared).length;
  // When everything read is shared work (a report on the embedding service alone), it is the journey.
  const counts = (t: ReportTrace): boolean => sharedCount === traces.length || !isShared(t);
  let wallUs = 0;
  let selfTotal = 0;
  let spanCount = 0;

  for (const trace of traces) {
    const self = selfTimes(trace);
    const wall = wallTime(trace);
    const journey = counts(trace);
    if (journey) wallUs += wall;
    spanCount += trace.spans.length;
    const perStageSelf = new Map<string, number>();
    for (const s of trace.spans) {
      const selfUs = self.get(s.spanId) ?? 0;
      if (journey) selfTotal += selfUs;
      let acc = stages.get(s.name);
      if (!acc)
        stages.set(
          s.name,
          (acc = { durations: [], selfUs: 0, errors: 0, services: new Set(), inJourney: false }),
        );
      acc.durations.push(s.durationUs);
      acc.selfUs += selfUs;
      acc.inJourney ||= journey;
      if (s.error) acc.errors += 1;
      acc.services.add(s.service);
      perStageSelf.set(s.name, (perStageSelf.get(s.name) ?? 0) + selfUs);
    }
    if (!journey) continue;
    const [dominantStage, dominantSelfUs] = [...perStageSelf].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    const root = rootOf(trace);
    slow.push({
      traceId: trace.traceId,
      rootName: root?.name ?? '',
      service: root?.service ?? '',
      wallUs: wall,
      spans: trace.spans.length,
      dominantStage,
      dominantSelfUs,
    });
  }

  const stageStats: StageStats[] = [...stages].map(([name, acc]) => {
    const sorted = [...acc.durations].sort((a, b) => a - b);
    const totalUs = sorted.reduce((a, b) => a + b, 0);
    return {
      name,
      services: [...acc.services].sort(),
      count: sorted.length,
      errors: acc.errors,
      totalUs,
      selfUs: acc.selfUs,
      p50Us: percentile(sorted, 50),
      p95Us: percentile(sorted, 95),
      p99Us: percentile(sorted, 99),
      maxUs: sorted[sorted.length - 1] ?? 0,
      wallShare: wallUs > 0 ? totalUs / wallUs : 0,
      selfShare: selfTotal > 0 ? acc.selfUs / selfTotal : 0,
      shared: !acc.inJourney,
    };
  });
  stageStats.sort((a, b) => b.selfUs - a.selfUs || a.name.localeCompare(b.name));
  slow.sort((a, b) => b.wallUs - a.wallUs || a.traceId.localeCompare(b.traceId));

  return {
    traces: traces.length,
    sharedTraces: sharedCount,
    spans: spanCount,
    wallUs,
    selfUs: selfTotal,
    stages: stageStats,
    slowest: slow.slice(0, slowestCount),
  };
}
