import { SPAN } from '../semconv.ts';
import type { ReportSpan, ReportTrace } from './trace-model.ts';
import { attributeWallTime } from './wall-attribution.ts';

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
  /** Wall time attributed to the stage: the instants it was the innermost open span (µs). */
  wallUs: number;
  /** wallUs over the journeys' wall time; with the gap share, the journeys' stages add up to 1. */
  wallShare: number;
  /** Seen only in shared-work traces: its share compares its time with the journeys' time. */
  shared: boolean;
}

export interface SlowTrace {
  traceId: string;
  rootName: string;
  service: string;
  wallUs: number;
  spans: number;
  /** The stage holding most of this trace's wall time. */
  dominantStage: string;
  dominantUs: number;
}

export interface TraceAnalysis {
  traces: number;
  /** Of which shared-work traces (see SHARED_WORK_ROOTS). */
  sharedTraces: number;
  spans: number;
  /** Sum over the journeys of (last end − first start) (µs); over all traces when all are shared work. */
  wallUs: number;
  /** Of the journeys' wall time, the part with no span open (µs): waiting in Kafka or a queue. */
  gapUs: number;
  gapShare: number;
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
    wallUs: number;
    errors: number;
    services: Set<string>;
    inJourney: boolean;
  }
  const stages = new Map<string, Acc>();
  const slow: SlowTrace[] = [];
  const isShared = (t: ReportTrace): boolean => sharedRoots.has(rootOf(t)?.name ?? '');
  const sharedCount = traces.filter(isShared).length;
  // When everything read is shared work (a report on the embedding alone), it is the journey.
  const counts = (t: ReportTrace): boolean => sharedCount === traces.length || !isShared(t);
  let wallUs = 0;
  let gapUs = 0;
  let spanCount = 0;

  for (const trace of traces) {
    const self = selfTimes(trace);
    const attribution = attributeWallTime(trace);
    const journey = counts(trace);
    if (journey) {
      wallUs += attribution.wallUs;
      gapUs += attribution.gapUs;
    }
    spanCount += trace.spans.length;
    for (const s of trace.spans) {
      let acc = stages.get(s.name);
      if (!acc) {
        acc = { durations: [], selfUs: 0, wallUs: 0, errors: 0, services: new Set(), inJourney: false };
        stages.set(s.name, acc);
      }
      acc.durations.push(s.durationUs);
      acc.selfUs += self.get(s.spanId) ?? 0;
      acc.inJourney ||= journey;
      if (s.error) acc.errors += 1;
      acc.services.add(s.service);
    }
    for (const [name, us] of attribution.byStage) stages.get(name)!.wallUs += us;
    if (!journey) continue;
    const [dominantStage, dominantUs] = [...attribution.byStage].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    const root = rootOf(trace);
    slow.push({
      traceId: trace.traceId,
      rootName: root?.name ?? '',
      service: root?.service ?? '',
      wallUs: attribution.wallUs,
      spans: trace.spans.length,
      dominantStage,
      dominantUs,
    });
  }

  const stageStats: StageStats[] = [...stages].map(([name, acc]) => {
    const sorted = [...acc.durations].sort((a, b) => a - b);
    return {
      name,
      services: [...acc.services].sort(),
      count: sorted.length,
      errors: acc.errors,
      totalUs: sorted.reduce((a, b) => a + b, 0),
      selfUs: acc.selfUs,
      p50Us: percentile(sorted, 50),
      p95Us: percentile(sorted, 95),
      p99Us: percentile(sorted, 99),
      maxUs: sorted[sorted.length - 1] ?? 0,
      wallUs: acc.wallUs,
      wallShare: wallUs > 0 ? acc.wallUs / wallUs : 0,
      shared: !acc.inJourney,
    };
  });
  stageStats.sort((a, b) => b.wallUs - a.wallUs || b.selfUs - a.selfUs || a.name.localeCompare(b.name));
  slow.sort((a, b) => b.wallUs - a.wallUs || a.traceId.localeCompare(b.traceId));

  return {
    traces: traces.length,
    sharedTraces: sharedCount,
    spans: spanCount,
    wallUs,
    gapUs,
    gapShare: wallUs > 0 ? gapUs / wallUs : 0,
    stages: stageStats,
    slowest: slow.slice(0, slowestCount),
  };
}
