import type { ReportSpan, ReportTrace } from './trace-model.ts';

/** Where a trace's wall time went: per stage, and the time no span was open. */
export interface WallAttribution {
  /** Microseconds of wall time per stage (span name); with `gapUs` they add up to `wallUs`. */
  byStage: Map<string, number>;
  /** Time inside the trace with no span open (a message waiting in Kafka, a task in a queue). */
  gapUs: number;
  /** First start to last end. */
  wallUs: number;
}

interface Edge {
  at: number;
  start: boolean;
  depth: number;
  span: ReportSpan;
}

function depthOf(span: ReportSpan, byId: Map<string, ReportSpan>): number {
  let depth = 0;
  const seen = new Set<string>();
  for (
    let p = span.parentSpanId;
    p !== undefined && byId.has(p) && !seen.has(p);
    p = byId.get(p)!.parentSpanId
  ) {
    seen.add(p);
    depth += 1;
  }
  return depth;
}

/**
 * Splits a trace's wall time among its stages: at every instant the time goes to the innermost
 * open spans (open spans with no open child), shared equally when several run in parallel. Unlike
 * summed self times this never counts an instant twice, so the shares of a trace add up to 1.
 */
export function attributeWallTime(trace: ReportTrace): WallAttribution {
  const byStage = new Map<string, number>();
  if (!trace.spans.some((s) => s.durationUs > 0)) return { byStage, gapUs: 0, wallUs: 0 };
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const edges: Edge[] = [];
  for (const span of trace.spans) {
    // An instant takes no time, and its end would sort before its own start.
    if (span.durationUs <= 0) continue;
    const depth = depthOf(span, byId);
    edges.push(
      { at: span.startUs, start: true, depth, span },
      { at: span.startUs + span.durationUs, start: false, depth, span },
    );
  }
  // Ends before starts at one instant; parents open before their children, children close first.
  edges.sort(
    (a, b) =>
      a.at - b.at || Number(a.start) - Number(b.start) || (a.start ? a.depth - b.depth : b.depth - a.depth),
  );

  const open = new Set<string>();
  const openChildren = new Map<string, number>();
  const innermostByStage = new Map<string, number>();
  let innermost = 0;
  const setInnermost = (span: ReportSpan, on: boolean): void => {
    innermostByStage.set(span.name, (innermostByStage.get(span.name) ?? 0) + (on ? 1 : -1));
    innermost += on ? 1 : -1;
  };
  // Open children are counted even while their parent is not open (clock skew between processes
  // can start a child first), so the parent is innermost only when none of its children is open.
  const parentIn = (span: ReportSpan): string | undefined =>
    span.parentSpanId !== undefined && byId.has(span.parentSpanId) ? span.parentSpanId : undefined;

  let gapUs = 0;
  let last = edges[0]!.at;
  for (const edge of edges) {
    const dt = edge.at - last;
    if (dt > 0) {
      if (innermost === 0) gapUs += dt;
      else
        for (const [stage, n] of innermostByStage)
          if (n > 0) byStage.set(stage, (byStage.get(stage) ?? 0) + (dt * n) / innermost);
    }
    last = edge.at;
    const { span } = edge;
    const parent = parentIn(span);
    if (edge.start) {
      open.add(span.spanId);
      if ((openChildren.get(span.spanId) ?? 0) === 0) setInnermost(span, true);
      if (parent !== undefined) {
        const n = openChildren.get(parent) ?? 0;
        if (n === 0 && open.has(parent)) setInnermost(byId.get(parent)!, false);
        openChildren.set(parent, n + 1);
      }
    } else if (open.delete(span.spanId)) {
      if ((openChildren.get(span.spanId) ?? 0) === 0) setInnermost(span, false);
      if (parent !== undefined) {
        const n = (openChildren.get(parent) ?? 1) - 1;
        openChildren.set(parent, n);
        if (n === 0 && open.has(parent)) setInnermost(byId.get(parent)!, true);
      }
    }
  }
  const wallUs = edges[edges.length - 1]!.at - edges[0]!.at;
  return { byStage, gapUs, wallUs };
}
