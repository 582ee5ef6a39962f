import { loadConfig } from '../../src/config/index.ts';

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
  startTime: number;
  duration: number;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** Reads one trace from Jaeger's query API, polling until `ready(trace)` holds or `timeoutMs` passes. */
export async function waitForTrace(
  traceId: string,
  ready: (trace: JaegerTrace) => boolean,
  timeoutMs = 20_000,
): Promise<JaegerTrace> {
  const base = loadConfig().jaegerQueryUrl;
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace | undefined;
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/api/traces/${traceId}`);
    if (res.ok) {
      const body = (await res.json()) as { data?: JaegerTrace[] };
      last = body.data?.[0];
      if (last && ready(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const seen = last ? last.spans.map((s) => s.operationName).join(', ') : 'no trace';
  throw new Error(`Trace ${traceId} not complete in Jaeger after ${timeoutMs} ms (saw: ${seen})`);
}

export function spanNamed(trace: JaegerTrace, name: string | RegExp): JaegerSpan | undefined {
  return trace.spans.find((s) =>
    typeof name === 'string' ? s.operationName === name : name.test(s.operationName),
  );
}

export function parentOf(trace: JaegerTrace, span: JaegerSpan): JaegerSpan | undefined {
  const ref = span.references.find((r) => r.refType === 'CHILD_OF');
  return ref ? trace.spans.find((s) => s.spanID === ref.spanID) : undefined;
}
