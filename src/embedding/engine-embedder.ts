import type { BatchScheduler, WorkItem } from './batch-scheduler.ts';
import type { BudgetController } from './budget-controller.ts';
import { contentKey } from './content-hash.ts';
import type { Embedder, EmbedderStats, EmbeddingTokenizer, EmbedOutcome } from './embedder.ts';
import {
  EmbedderClosedError,
  EmbeddingError,
  EmptyTextError,
  InferenceRunError,
  TextEmbeddingError,
} from './errors.ts';
import type { InferenceBackend } from './inference-backend.ts';
import { VectorCache } from './vector-cache.ts';

export interface EngineParts {
  tokenizer: EmbeddingTokenizer;
  backends: InferenceBackend[];
  dimension: number;
  bulk: BatchScheduler;
  query: BatchScheduler;
  controller: BudgetController;
  dedupCacheSize: number;
  queryCacheSize: number;
}

/**
 * The engine behind `createEmbedder`: validation, content-hash dedup and the two lanes. Equal texts
 * (after whitespace normalisation) are embedded once, whether seen before or in flight right now.
 */
export class EngineEmbedder implements Embedder {
  readonly dimension: number;
  readonly tokenizer: EmbeddingTokenizer;
  readonly #p: EngineParts;
  readonly #docs: VectorCache;
  readonly #queries: VectorCache;
  #closed = false;

  constructor(parts: EngineParts) {
    this.#p = parts;
    this.dimension = parts.dimension;
    this.tokenizer = parts.tokenizer;
    this.#docs = new VectorCache(parts.dedupCacheSize);
    this.#queries = new VectorCache(parts.queryCacheSize);
  }

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    const blank = texts.findIndex(isBlank);
    if (blank >= 0) throw new EmptyTextError(blank);
    const outcomes = await this.embedDocumentsSettled(texts);
    return outcomes.map((o) => {
      if (!o.ok) throw o.error;
      return o.vector;
    });
  }

  embedDocumentsSettled(texts: readonly string[]): Promise<EmbedOutcome[]> {
    return Promise.all(this.embedDocumentsEach(texts));
  }

  embedDocumentsEach(texts: readonly string[]): Promise<EmbedOutcome>[] {
    return this.#enqueue(texts, this.#docs, this.#p.bulk).map((pending, i) =>
      pending.then(
        (vector): EmbedOutcome => ({ ok: true, vector }),
        (err: unknown): EmbedOutcome => ({ ok: false, error: typedError(err, i) }),
      ),
    );
  }

  async embedQuery(text: string): Promise<Float32Array> {
    try {
      return await this.#enqueue([text], this.#queries, this.#p.query)[0]!;
    } catch (err) {
      throw typedError(err, 0);
    }
  }

  stats(): EmbedderStats {
    const c = this.#p.bulk.counters;
    return {
      budget: this.#p.controller.setpoint,
      batches: c.batches,
      texts: c.texts,
      realTokens: c.realTokens,
      paddedTokens: c.paddedTokens,
      paddingRatio: c.paddedTokens > 0 ? 1 - c.realTokens / c.paddedTokens : 0,
      dedupHits: this.#docs.hits,
      queryCacheHits: this.#queries.hits,
      queryBatches: this.#p.query.counters.batches,
      queueDepth: this.#p.bulk.queueDepth,
      failedTexts: c.failedTexts + this.#p.query.counters.failedTexts,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#p.bulk.close();
    this.#p.query.close();
    await Promise.all(this.#p.backends.map((b) => b.close()));
  }

  /** One promise per text: from the cache, shared with an equal text in flight, or newly queued. */
  #enqueue(texts: readonly string[], cache: VectorCache, lane: BatchScheduler): Promise<Float32Array>[] {
    const fresh: { text: string; resolve: (v: Float32Array) => void; reject: (e: unknown) => void }[] = [];
    const out = texts.map((text, i) => {
      if (this.#closed) return Promise.reject(new EmbedderClosedError());
      if (isBlank(text)) return Promise.reject(new EmptyTextError(i));
      const key = contentKey(text);
      const known = cache.lookup(key);
      if (known) return known;
      const promise = new Promise<Float32Array>((resolve, reject) => fresh.push({ text, resolve, reject }));
      cache.track(key, promise);
      return promise;
    });
    if (fresh.length > 0) {
      this.tokenizer.encodeForModel(fresh.map((f) => f.text)).then(
        (rows) => {
          const now = performance.now();
          const items: WorkItem[] = rows.map((ids, j) => ({
            ids,
            tokens: ids.length,
            enqueuedAt: now,
            resolve: fresh[j]!.resolve,
            reject: fresh[j]!.reject,
          }));
          lane.submit(items);
        },
        (err: unknown) => {
          for (const f of fresh) f.reject(err);
        },
      );
    }
    return out;
  }
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

/**
 * The typed error a caller sees for text `index` of its call. Errors about the engine (closed, model
 * not loadable) pass through; a run failure that reached a single text is that text's fault.
 */
function typedError(err: unknown, index: number): EmbeddingError {
  if (err instanceof EmptyTextError) return err.index === index ? err : new EmptyTextError(index);
  if (err instanceof EmbeddingError && !(err instanceof InferenceRunError)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new TextEmbeddingError(index, reason, { cause: err });
}
