import { QdrantClient } from '@qdrant/js-client-rest';
import type { Config } from '../config/index.ts';
import { withQdrantSpan } from '../telemetry/qdrant-span.ts';
import { chunkPointId } from './point-id.ts';
import { classifyQdrantError, DimensionMismatchError, VectorStoreError } from './store-errors.ts';

/** Payload fields every chunk point carries; `doc_id` and `version` are indexed for the filters below. */
export interface ChunkPayload {
  doc_id: string;
  chunk_index: number;
  chunk_count: number;
  text: string;
  title?: string;
  metadata?: Record<string, unknown>;
  version: number;
}

export interface ChunkPoint {
  documentId: string;
  chunkIndex: number;
  vector: Float32Array;
  payload: ChunkPayload;
}

export interface ScoredChunk {
  pointId: string;
  score: number;
  payload: ChunkPayload;
  vector?: number[];
}

/** Selects a document's chunks older than `version` (or as old, when `inclusive`). */
export interface StaleSelector {
  id: string;
  version: number;
  inclusive?: boolean;
}

export interface QueryOptions {
  limit: number;
  filter?: Record<string, unknown>;
  withVectors?: boolean;
}

/** Payload indexes created with every collection: the fields the pipeline itself filters on. */
const PAYLOAD_INDEXES: readonly { field: string; schema: 'keyword' | 'integer' }[] = [
  { field: 'doc_id', schema: 'keyword' },
  { field: 'version', schema: 'integer' },
];

function errorOutcome(err: unknown): string {
  return err instanceof VectorStoreError ? err.type : 'error';
}

/**
 * The project's one adapter to Qdrant: collections are bootstrapped with the model's dimension,
 * every error is classified at this boundary (see store-errors.ts), every call is traced and timed.
 */
export class VectorStore {
  readonly client: QdrantClient;
  readonly #dimension: number;
  readonly #ready = new Map<string, Promise<void>>();

  constructor(config: Pick<Config, 'qdrantUrl' | 'qdrantApiKey'>, dimension: number) {
    this.client = new QdrantClient({
      url: config.qdrantUrl,
      ...(config.qdrantApiKey ? { apiKey: config.qdrantApiKey } : {}),
      // Keeps a stuck server from holding an activity until its start-to-close timeout.
      timeout: 30_000,
    });
    this.#dimension = dimension;
  }

  async #call<T>(
    operation: string,
    info: Parameters<typeof withQdrantSpan>[1],
    fn: () => Promise<T>,
  ): Promise<T> {
    return withQdrantSpan(
      operation,
      info,
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw classifyQdrantError(err, `Qdrant ${operation} on "${info.collection ?? '?'}"`);
        }
      },
      errorOutcome,
    );
  }

  /**
   * Creates the collection (cosine distance, the model's dimension, payload indexes) unless it
   * exists; refuses a collection whose vectors do not fit the model. Memoized per collection.
   */
  ensureCollection(name: string): Promise<void> {
    let ready = this.#ready.get(name);
    if (!ready) {
      ready = this.#ensure(name).catch((err: unknown) => {
        this.#ready.delete(name);
        throw err;
      });
      this.#ready.set(name, ready);
    }
    return ready;
  }

  async #ensure(name: string): Promise<void> {
    const { exists } = await this.#call('collection_exists', { collection: name }, () =>
      this.client.collectionExists(name),
    );
    if (!exists) {
      try {
        await this.#call('create_collection', { collection: name }, () =>
          this.client.createCollection(name, { vectors: { size: this.#dimension, distance: 'Cosine' } }),
        );
      } catch (err) {
        // Another worker created it first: fine, it is checked below like any existing collection.
        if (!(err instanceof VectorStoreError) || !/already exists/i.test(err.message)) throw err;
      }
      for (const { field, schema } of PAYLOAD_INDEXES) {
        await this.#call('create_payload_index', { collection: name }, () =>
          this.client.createPayloadIndex(name, { field_name: field, field_schema: schema, wait: true }),
        );
      }
    }
    const info = await this.#call('get_collection', { collection: name }, () =>
      this.client.getCollection(name),
    );
    const vectors = info.config.params.vectors as { size?: number; distance?: string } | undefined;
    if (!vectors || vectors.size !== this.#dimension || vectors.distance !== 'Cosine') {
      throw new DimensionMismatchError(
        `Collection "${name}" holds ${vectors?.size ?? 'named'}-dimensional ${vectors?.distance ?? ''} vectors but the model ` +
          `produces ${this.#dimension}-dimensional cosine vectors. Use another collection (QDRANT_COLLECTION) or delete this one.`,
      );
    }
  }

  /**
   * Writes chunks, never over points of a newer version of the same document: Qdrant's
   * `update_filter` only replaces an existing point when its document's version is not newer.
   */
  async upsertChunks(collection: string, points: readonly ChunkPoint[]): Promise<void> {
    if (points.length === 0) return;
    const body = points.map((p) => ({
      id: chunkPointId(p.documentId, p.chunkIndex),
      vector: Array.from(p.vector),
      payload: p.payload as unknown as Record<string, unknown>,
    }));
    const versions = new Map(points.map((p) => [p.documentId, p.payload.version]));
    await this.#call('upsert', { collection, points: body.length, bytes: estimateBytes(points) }, () =>
      this.client.upsert(collection, {
        wait: true,
        points: body,
        update_filter: {
          should: [...versions].map(([id, version]) => ({
            must: [
              { key: 'doc_id', match: { value: id } },
              { key: 'version', range: { lte: version } },
            ],
          })),
        },
      }),
    );
  }

  /**
   * Removes chunks of older versions: after an update, the chunks the new version no longer has
   * (`version` below the new one); on delete, every chunk up to the delete's version (`inclusive`).
   */
  async deleteStale(collection: string, documents: readonly StaleSelector[]): Promise<void> {
    if (documents.length === 0) return;
    await this.#call('delete', { collection, points: documents.length }, () =>
      this.client.delete(collection, {
        wait: true,
        filter: {
          should: documents.map((d) => ({
            must: [
              { key: 'doc_id', match: { value: d.id } },
              { key: 'version', range: d.inclusive ? { lte: d.version } : { lt: d.version } },
            ],
          })),
        },
      }),
    );
  }

  async query(collection: string, vector: Float32Array, opts: QueryOptions): Promise<ScoredChunk[]> {
    const filter = opts.filter && Object.keys(opts.filter).length > 0 ? opts.filter : undefined;
    const res = await this.#call(
      'query',
      { collection, topK: opts.limit, ...(filter ? { filter: JSON.stringify(filter) } : {}) },
      () =>
        this.client.query(collection, {
          query: Array.from(vector),
          limit: opts.limit,
          with_payload: true,
          with_vector: opts.withVectors ?? false,
          ...(filter ? { filter } : {}),
        }),
    );
    return res.points.map((p) => ({
      pointId: String(p.id),
      score: p.score,
      payload: p.payload as unknown as ChunkPayload,
      ...(Array.isArray(p.vector) ? { vector: p.vector as number[] } : {}),
    }));
  }

  async count(collection: string, filter?: Record<string, unknown>): Promise<number> {
    const res = await this.#call('count', { collection }, () =>
      this.client.count(collection, { exact: true, ...(filter ? { filter } : {}) }),
    );
    return res.count;
  }
}

function estimateBytes(points: readonly ChunkPoint[]): number {
  let bytes = 0;
  // JSON floats average ~20 characters; text dominates the rest.
  for (const p of points) bytes += p.vector.length * 20 + p.payload.text.length + 200;
  return bytes;
}
