import type { EmbeddingError } from './errors.ts';
import type { WordPieces } from './tokenizer.ts';

/** Per-text outcome of `embedDocumentsSettled`. */
export type EmbedOutcome = { ok: true; vector: Float32Array } | { ok: false; error: EmbeddingError };

export interface EmbedderStats {
  /** Padded-token budget the bulk lane is working at. */
  budget: number;
  batches: number;
  texts: number;
  realTokens: number;
  paddedTokens: number;
  /** Share of the computed tokens that were padding. */
  paddingRatio: number;
  /** Texts answered from the content-hash cache or by a duplicate already in flight. */
  dedupHits: number;
  queryCacheHits: number;
  queryBatches: number;
  /** Texts waiting for the bulk lane. */
  queueDepth: number;
  failedTexts: number;
}

export interface Embedder {
  readonly dimension: number;
  /** The tokenizer the engine uses, for token-aware chunking. */
  readonly tokenizer: EmbeddingTokenizer;
  /** Bulk lane; rejects with the first text's typed error if any text fails (the others are still embedded). */
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
  /** Bulk lane, one outcome per text, so one bad text does not sink its neighbours. */
  embedDocumentsSettled(texts: readonly string[]): Promise<EmbedOutcome[]>;
  /**
   * Bulk lane, as `embedDocumentsSettled` (the texts are batched together), but one promise per
   * text, settled as soon as that text is embedded; none of them rejects.
   */
  embedDocumentsEach(texts: readonly string[]): Promise<EmbedOutcome>[];
  /** Query lane: never waits behind bulk batches; answers repeated queries from an LRU cache. */
  embedQuery(text: string): Promise<Float32Array>;
  stats(): EmbedderStats;
  close(): Promise<void>;
}

/** What the engine needs from a tokenizer (`TextTokenizer`; tests use fakes). */
export interface EmbeddingTokenizer {
  readonly maxTokens: number;
  encodeWithOffsets(text: string): Promise<WordPieces>;
  countTokens(text: string): Promise<number>;
  encodeForModel(texts: readonly string[]): Promise<number[][]>;
}
