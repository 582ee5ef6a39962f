import type { Config } from '../src/config/index.ts';
import { createEmbedder } from '../src/embedding/index.ts';
import { seededRandom } from './embed-corpus.ts';

export interface QueryLaneResult {
  lane: Config['queryLane'];
  /** Query latency with the engine idle. */
  idleP50Ms: number;
  /** Query latency while a bulk embed of the corpus runs. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  queries: number;
  /** Bulk throughput while the queries ran. */
  bulkDocsPerSec: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Latency of single queries, one after another with a random think time, while one embedDocuments
 * call embeds the whole corpus on the bulk lane. Every query text is distinct, so the query cache
 * never answers.
 */
export async function measureQueryLane(
  config: Config,
  lane: Config['queryLane'],
  corpus: string[],
  queries: string[],
): Promise<QueryLaneResult> {
  const embedder = await createEmbedder(config, { queryLane: lane, dedupCacheSize: 0 });
  const random = seededRandom(7);
  let next = 0;
  const timeQuery = async () => {
    const started = performance.now();
    await embedder.embedQuery(queries[next++ % queries.length]!);
    return performance.now() - started;
  };
  try {
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) idle.push(await timeQuery());
    let done = false;
    const bulkStarted = performance.now();
    const bulk = embedder.embedDocuments(corpus).finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      await sleep(20 + random() * 100);
      if (!done) latencies.push(await timeQuery());
    }
    await bulk;
    const bulkSeconds = (performance.now() - bulkStarted) / 1000;
    return {
      lane,
      idleP50Ms: percentile(idle, 50),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      queries: latencies.length,
      bulkDocsPerSec: corpus.length / bulkSeconds,
    };
  } finally {
    await embedder.close();
  }
}
