/** The slice of a span the bottleneck report needs, whatever API it was read from. */
export interface ReportSpan {
  traceId: string;
  spanId: string;
  /** Absent on a trace's root (or when the parent was never exported). */
  parentSpanId?: string;
  name: string;
  service: string;
  /** Microseconds since the epoch. */
  startUs: number;
  durationUs: number;
  /** Status ERROR. */
  error: boolean;
  attributes: Record<string, string | number | boolean>;
  /** Trace ids this span links to (fan-in from Kafka producers). */
  linkedTraceIds: string[];
}

export interface ReportTrace {
  traceId: string;
  spans: ReportSpan[];
}

/** Groups spans by trace id, dropping duplicates (a trace found through two services is read twice). */
export function groupTraces(spans: Iterable<ReportSpan>): ReportTrace[] {
  const traces = new Map<string, Map<string, ReportSpan>>();
  for (const span of spans) {
    let byId = traces.get(span.traceId);
    if (!byId) traces.set(span.traceId, (byId = new Map<string, ReportSpan>()));
    byId.set(span.spanId, span);
  }
  return [...traces].map(([traceId, byId]) => ({ traceId, spans: [...byId.values()] }));
}
