import { context, type Context } from '@opentelemetry/api';
import type { ChunkPoint, StaleSelector, VectorStore } from '../src/qdrant/index.ts';

export interface ChunkWriterOptions {
  /** Points gathered into one upsert at most. */
  maxPoints: number;
  /** How long the first point gathered waits for company before it is written anyway. */
  maxWaitMs: number;
}

// In a bulk ingest a batch's documents finish embedding over some seconds, and a few upserts per
// batch carry them all; under query load, when the bulk lane gets what the queries leave and a
// batch can take minutes, a document is searchable within seconds of its embedding.
const DEFAULTS: ChunkWriterOptions = { maxPoints: 256, maxWaitMs: 5000 };

/**
 * Writes the chunks of an ingest batch's documents to Qdrant as each document's embeddings are
 * done, instead of once the whole batch is: a document becomes searchable without waiting for the
 * rest of its batch. Points are gathered into one upsert (see ChunkWriterOptions); each upsert is
 * followed by the removal of its documents' stale chunks, and writes go one at a time, in order.
 * The first failed write fails `close()`, and nothing is written after it. Writes are traced in
 * the context the writer was created in (the activity's), beside the embedding rather than in it.
 */
export class ChunkWriter {
  readonly #store: Pick<VectorStore, 'upsertChunks' | 'deleteStale'>;
  readonly #collection: string;
  readonly #options: ChunkWriterOptions;
  #points: ChunkPoint[] = [];
  #documents: StaleSelector[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writes: Promise<void> = Promise.resolve();
  readonly #context: Context = context.active();

  constructor(
    store: Pick<VectorStore, 'upsertChunks' | 'deleteStale'>,
    collection: string,
    options: Partial<ChunkWriterOptions> = {},
  ) {
    this.#store = store;
    this.#collection = collection;
    this.#options = { ...DEFAULTS, ...options };
  }

  /** Queues a document's points (all of its chunks) for writing. */
  add(document: { id: string; version: number }, points: readonly ChunkPoint[]): void {
    this.#points.push(...points);
    this.#documents.push({ id: document.id, version: document.version });
    if (this.#points.length >= this.#options.maxPoints) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.maxWaitMs);
  }

  /** Writes what is gathered and resolves once every write is done; rejects with the first failure. */
  async close(): Promise<void> {
    this.#flush();
    await this.#writes;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#documents.length === 0) return;
    const points = this.#points;
    const documents = this.#documents;
    this.#points = [];
    this.#documents = [];
    this.#writes = this.#writes.then(() =>
      context.with(this.#context, async () => {
        await this.#store.upsertChunks(this.#collection, points);
        // Chunks the new versions no longer have (a document that got shorter) are removed.
        await this.#store.deleteStale(this.#collection, documents);
      }),
    );
    // Seen by `close()`; until then a failure must not count as unhandled.
    this.#writes.catch(() => undefined);
  }
}
