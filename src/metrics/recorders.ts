import {
  embedBatchDuration,
  embedBatchTexts,
  embedPaddingRatio,
  embedQueueWait,
  embedTokens,
  embedTokensPerSecond,
  queryCacheHitRatio,
  queryCacheLookups,
} from './registry.ts';

export type EmbedLane = 'ingest' | 'query';

/** What one embedding batch cost, as the engine measured it. */
export interface EmbedBatchFigures {
  lane: EmbedLane;
  texts: number;
  /** Word pieces, [CLS] and [SEP] included. */
  realTokens: number;
  /** Rows × padded length: what the model actually computed. */
  paddedTokens: number;
  /** Time on the ONNX thread. */
  inferenceSeconds: number;
  /** Time the oldest text of the batch waited before inference started. */
  queuedSeconds: number;
}

/** 1 − real/padded: the share of the model's work spent on padding. 0 for an empty batch. */
export function paddingRatio(realTokens: number, paddedTokens: number): number {
  if (paddedTokens <= 0) return 0;
  return Math.min(1, Math.max(0, 1 - realTokens / paddedTokens));
}

/** Records one embedding batch into the size, latency, queue, token and padding metrics. */
export function recordEmbedBatch(f: EmbedBatchFigures): void {
  const lane = { lane: f.lane };
  embedBatchTexts.observe(lane, f.texts);
  embedBatchDuration.observe(lane, f.inferenceSeconds);
  embedQueueWait.observe(lane, f.queuedSeconds);
  embedTokens.inc({ lane: f.lane, kind: 'real' }, f.realTokens);
  embedTokens.inc({ lane: f.lane, kind: 'padded' }, f.paddedTokens);
  embedPaddingRatio.observe(lane, paddingRatio(f.realTokens, f.paddedTokens));
  if (f.inferenceSeconds > 0) embedTokensPerSecond.set(lane, f.realTokens / f.inferenceSeconds);
}

let cacheHits = 0;
let cacheLookups = 0;

/** Records one query-embedding cache lookup and refreshes the hit ratio. */
export function recordCacheLookup(hit: boolean): void {
  cacheLookups += 1;
  if (hit) cacheHits += 1;
  queryCacheLookups.inc({ result: hit ? 'hit' : 'miss' });
  queryCacheHitRatio.set(cacheHits / cacheLookups);
}

/** Seconds since `startMs` (a `performance.now()` reading). */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}
