import { serviceNameFor } from '../src/telemetry/bootstrap.ts';
import { JaegerClient } from '../src/telemetry/report/jaeger-client.ts';
import { SPAN } from '../src/telemetry/semconv.ts';
import type { ReportSpan, ReportTrace } from '../src/telemetry/report/trace-model.ts';
import { percentiles, type Percentiles } from './lib/stats.ts';
import { BENCH_LABEL } from './pipeline-services.ts';

/** The service names Jaeger knows the bench's processes by. */
const SERVICES = ['consumer', 'worker'].map((role) => serviceNameFor(`${BENCH_LABEL}-${role}`));
/** Traces per service and window at most: a loaded phase holds a few hundred queries beside the ingest's traces. */
const TRACE_LIMIT = 3000;

/** Where one phase's queries were asked: its wall-clock window and the repetition's topics. */
export interface TraceWindow {
  startMs: number;
  endMs: number;
  topicQueries: string;
  topicQueryResults: string;
}

/**
 * A query's way through the consumer and the worker, in ms, from the spans that run on the wall
 * clock. Spans made inside workflow code (RunWorkflow:…, StartActivity:…) are left out: they read
 * the workflow clock, which Temporal holds at the workflow task's start, so their times are not real.
 */
export interface QueryPathIntervals {
  traces: number;
  /** Consumer: batch received → search workflow start sent to Temporal. */
  consumerBeforeStart: Percentiles;
  /** Consumer: Temporal acknowledging the start (StartWorkflow:searchQuery). */
  workflowStart: Percentiles;
  /** Start acknowledged → the worker runs the search: task dispatch, workflow activation, local activity start. */
  startToSearch: Percentiles;
  /** The search (embed the query, query Qdrant, rank). */
  search: Percentiles;
  /** Search done → the answer's send starts. */
  searchToPublish: Percentiles;
  /** Sending the answer (produce to query-results, acks=all). */
  publish: Percentiles;
}

interface PathSpans {
  receive: ReportSpan;
  start: ReportSpan;
  search: ReportSpan;
  publish: ReportSpan;
}

function pathOf(trace: ReportTrace, w: TraceWindow): PathSpans | undefined {
  const find = (name: string) => trace.spans.find((s) => s.name === name);
  const receive = find(`receive ${w.topicQueries}`);
  const start = find('StartWorkflow:searchQuery');
  // A retried activity searches again: the last run is the one that answered.
  const last = (name: string) =>
    trace.spans.filter((s) => s.name === name).sort((a, b) => b.startUs - a.startUs)[0];
  const search = last(SPAN.search);
  const publish = last(`send ${w.topicQueryResults}`);
  return receive && start && search && publish ? { receive, start, search, publish } : undefined;
}

const end = (s: ReportSpan) => s.startUs + s.durationUs;

/**
 * The query path interval by interval, from the traces the consumer and the worker exported to
 * Jaeger during the given windows (pooled). Undefined when Jaeger holds no complete query traces.
 */
export async function queryPathIntervals(
  jaegerUrl: string,
  windows: readonly TraceWindow[],
): Promise<QueryPathIntervals | undefined> {
  const jaeger = new JaegerClient(jaegerUrl);
  const paths: PathSpans[] = [];
  for (const w of windows) {
    const traces = await jaeger.traces({
      services: SERVICES,
      startMs: w.startMs,
      endMs: w.endMs,
      limit: TRACE_LIMIT,
    });
    for (const t of traces) {
      const p = pathOf(t, w);
      if (p) paths.push(p);
    }
  }
  if (paths.length === 0) return undefined;
  const ms = (f: (p: PathSpans) => number) => percentiles(paths.map((p) => f(p) / 1000));
  return {
    traces: paths.length,
    consumerBeforeStart: ms((p) => p.start.startUs - p.receive.startUs),
    workflowStart: ms((p) => p.start.durationUs),
    startToSearch: ms((p) => p.search.startUs - end(p.start)),
    search: ms((p) => p.search.durationUs),
    searchToPublish: ms((p) => p.publish.startUs - end(p.search)),
    publish: ms((p) => p.publish.durationUs),
  };
}
