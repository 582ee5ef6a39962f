import {
  histogramDelta,
  histogramQuantile,
  parseHistogram,
  scrapeMetrics,
  type Histogram,
} from './lib/prom-histogram.ts';
import type { PipelineUnderTest } from './pipeline-services.ts';

/** A latency histogram of one phase, in ms: mean and quantiles interpolated within its buckets (only as fine as they are). */
export interface HistogramFigures {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** What the processes' own /metrics say about one phase. */
export interface PhaseMetrics {
  /** Worker: embed the query, query Qdrant, rank (embedstream_search_duration_seconds). */
  workerSearch?: HistogramFigures;
  /** Consumer: Temporal acknowledging a search workflow start (embedstream_workflow_start_duration_seconds). */
  searchWorkflowStart?: HistogramFigures;
  /** Event-loop delay over the phase (prom-client resets it on every scrape): a busy loop delays every callback. */
  workerLoopLag?: { p99Ms: number; maxMs: number };
  consumerLoopLag?: { p99Ms: number; maxMs: number };
  /** Chunks the worker's bulk lane embedded during the phase (embedstream_embed_batch_texts, lane ingest). */
  bulkChunksEmbedded?: number;
  /** The worker's main-thread V8 heap at the end of the phase: what of its RSS is JavaScript on the main thread. */
  workerHeap?: { usedMb: number; totalMb: number; externalMb: number };
}

export interface MetricsSnapshot {
  worker: string;
  consumer: string;
}

export async function snapshotMetrics(pipeline: PipelineUnderTest): Promise<MetricsSnapshot> {
  const [worker, consumer] = await Promise.all([
    scrapeMetrics(pipeline.worker.port),
    scrapeMetrics(pipeline.consumer.port),
  ]);
  return { worker, consumer };
}

function figures(after: Histogram | undefined, before: Histogram | undefined): HistogramFigures | undefined {
  if (!after) return undefined;
  const h = histogramDelta(after, before);
  return {
    count: h.count,
    meanMs: (h.sum / Math.max(1, h.count)) * 1000,
    p50Ms: histogramQuantile(h, 0.5) * 1000,
    p99Ms: histogramQuantile(h, 0.99) * 1000,
  };
}

function gauge(exposition: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(exposition);
  return m ? Number(m[1]) : Number.NaN;
}

function loopLag(exposition: string): { p99Ms: number; maxMs: number } {
  return {
    p99Ms: gauge(exposition, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    maxMs: gauge(exposition, 'nodejs_eventloop_lag_max_seconds') * 1000,
  };
}

/** The phase between two snapshots (the second one's loop-lag figures cover exactly that stretch). */
export function phaseMetrics(before: MetricsSnapshot, after: MetricsSnapshot): PhaseMetrics {
  const search = (text: string) =>
    parseHistogram(text, 'embedstream_search_duration_seconds', { outcome: 'ok' });
  const start = (text: string) =>
    parseHistogram(text, 'embedstream_workflow_start_duration_seconds', { workflow: 'searchQuery' });
  const mb = (name: string) => gauge(after.worker, name) / 2 ** 20;
  const out: PhaseMetrics = {
    workerLoopLag: loopLag(after.worker),
    consumerLoopLag: loopLag(after.consumer),
    workerHeap: {
      usedMb: mb('nodejs_heap_size_used_bytes'),
      totalMb: mb('nodejs_heap_size_total_bytes'),
      externalMb: mb('nodejs_external_memory_bytes'),
    },
  };
  const bulk = (text: string) => parseHistogram(text, 'embedstream_embed_batch_texts', { lane: 'ingest' });
  const bulkAfter = bulk(after.worker);
  if (bulkAfter) out.bulkChunksEmbedded = bulkAfter.sum - (bulk(before.worker)?.sum ?? 0);
  const workerSearch = figures(search(after.worker), search(before.worker));
  const searchWorkflowStart = figures(start(after.consumer), start(before.consumer));
  if (workerSearch) out.workerSearch = workerSearch;
  if (searchWorkflowStart) out.searchWorkflowStart = searchWorkflowStart;
  return out;
}
