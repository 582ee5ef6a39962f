import { analyzeTraces } from '../src/telemetry/report/analysis.ts';
import { JaegerClient } from '../src/telemetry/report/jaeger-client.ts';
import type { ReportTrace } from '../src/telemetry/report/trace-model.ts';

/** The service names Jaeger knows the bench's processes by (test/helpers/service-process.ts names the roles test-<role>). */
const SERVICES = ['embedstream-test-consumer', 'embedstream-test-worker'];
/** Traces per service and window at most: a loaded phase holds a few hundred queries beside the ingest's traces. */
const TRACE_LIMIT = 3000;

/** Where one phase's queries were asked: its wall-clock window and the repetition's topics. */
export interface TraceWindow {
  startMs: number;
  endMs: number;
  topicQueries: string;
  topicQueryResults: string;
}

export interface StageFigure {
  name: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Share of the queries' wall time during which this was the innermost open span. */
  wallShare: number;
}

export interface QueryPathStages {
  traces: number;
  /** Share of the queries' wall time with no span open (waiting in Kafka or in a Temporal task queue). */
  gapShare: number;
  stages: StageFigure[];
}

/** A query's trace, with the repetition's topic names replaced by the default ones so repetitions pool. */
function queryTrace(trace: ReportTrace, w: TraceWindow): ReportTrace | undefined {
  if (!trace.spans.some((s) => s.name === `process ${w.topicQueries}`)) return undefined;
  const rename = (name: string) =>
    name.replaceAll(w.topicQueryResults, 'query-results').replaceAll(w.topicQueries, 'queries');
  return { traceId: trace.traceId, spans: trace.spans.map((s) => ({ ...s, name: rename(s.name) })) };
}

/**
 * The query path stage by stage, from the traces the worker and consumer exported to Jaeger during
 * the given windows (pooled). Undefined when Jaeger holds no query traces for them.
 */
export async function queryPathStages(
  jaegerUrl: string,
  windows: readonly TraceWindow[],
): Promise<QueryPathStages | undefined> {
  const jaeger = new JaegerClient(jaegerUrl);
  const traces: ReportTrace[] = [];
  for (const w of windows) {
    const found = await jaeger.traces({
      services: SERVICES,
      startMs: w.startMs,
      endMs: w.endMs,
      limit: TRACE_LIMIT,
    });
    for (const t of found) {
      const q = queryTrace(t, w);
      if (q) traces.push(q);
    }
  }
  if (traces.length === 0) return undefined;
  const analysis = analyzeTraces(traces);
  return {
    traces: analysis.traces,
    gapShare: analysis.gapShare,
    stages: analysis.stages
      .filter((s) => !s.shared)
      .map((s) => ({
        name: s.name,
        count: s.count,
        p50Ms: s.p50Us / 1000,
        p95Ms: s.p95Us / 1000,
        p99Ms: s.p99Us / 1000,
        wallShare: s.wallShare,
      })),
  };
}
