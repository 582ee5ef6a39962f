import { Context } from '@temporalio/activity';
import { chunkText, type Chunk } from '../src/chunking/token-chunker.ts';
import type { EmbedOutcome } from '../src/embedding/index.ts';
import { ingestChunks, ingestDocuments } from '../src/metrics/index.ts';
import type { StaleSelector } from '../src/qdrant/index.ts';
import { ATTR_CHUNK_COUNT, ATTR_DOCUMENT_COUNT, SPAN } from '../src/telemetry/semconv.ts';
import { withSpan } from '../src/telemetry/spans.ts';
import type {
  DocumentInput,
  FailedDocument,
  IngestBatchResult,
  KafkaSource,
} from '../workflows/contracts.ts';
import { ChunkWriter } from './chunk-writer.ts';
import type { ActivityDeps } from './deps.ts';
import { toFailure } from './failures.ts';

/** How often a long ingest activity reports liveness; well under the preset's heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 2_000;

interface PreparedDocument {
  doc: DocumentInput;
  chunks: Chunk[];
}

/** The text embedded for a chunk: the title gives every chunk of a document its topic. */
function embeddingText(doc: DocumentInput, chunk: Chunk): string {
  return doc.title ? `${doc.title}\n${chunk.text}` : chunk.text;
}

async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await Promise.race([work(), ctx.cancelled]);
  } finally {
    clearInterval(timer);
  }
}

export function createIngestActivities(deps: ActivityDeps) {
  const { store, embedder, tokenizer, config } = deps;

  /** A document written with its chunk count, or why it could not be. */
  type Written = { chunks: number } | { failure: FailedDocument };

  /**
   * Chunks the documents, embeds their chunks and writes each document as soon as all its chunks are
   * embedded (see ChunkWriter); a document with a chunk the model rejects is not written and is
   * reported. Each document's chunks go to the engine as soon as it is chunked, so the engine works on
   * the first documents while the rest are chunked.
   */
  async function embedAndWrite(collection: string, docs: DocumentInput[], failed: FailedDocument[]) {
    const writer = new ChunkWriter(store, collection);
    const writeWhenEmbedded = async (
      p: PreparedDocument,
      pending: Promise<EmbedOutcome>[],
    ): Promise<Written> => {
      const outcomes = await Promise.all(pending);
      const vectors = outcomes.flatMap((o) => (o.ok ? [o.vector] : []));
      const bad = outcomes.find((o) => !o.ok);
      if (bad && !bad.ok)
        return { failure: { id: p.doc.id, type: bad.error.type, reason: bad.error.message } };
      writer.add(
        p.doc,
        p.chunks.map((chunk, i) => ({
          documentId: p.doc.id,
          chunkIndex: chunk.index,
          vector: vectors[i]!,
          payload: {
            doc_id: p.doc.id,
            chunk_index: chunk.index,
            chunk_count: p.chunks.length,
            text: chunk.text,
            ...(p.doc.title ? { title: p.doc.title } : {}),
            ...(p.doc.metadata ? { metadata: p.doc.metadata } : {}),
            version: p.doc.version,
          },
        })),
      );
      return { chunks: p.chunks.length };
    };
    // Never rejected: the engine settles every chunk to an outcome, a failed one included.
    const writes: Promise<Written>[] = [];
    let chunkCount = 0;
    try {
      await withSpan(SPAN.chunk, { [ATTR_DOCUMENT_COUNT]: docs.length }, async (span) => {
        for (const doc of docs) {
          if (!doc.text || doc.text.trim() === '') {
            failed.push({
              id: doc.id,
              type: 'InvalidDocument',
              reason: 'An upsert needs a non-empty "text".',
            });
            continue;
          }
          const chunks = await chunkText(tokenizer, doc.text, {
            chunkTokens: config.chunkTokens,
            overlap: config.chunkOverlap,
          });
          chunkCount += chunks.length;
          const pending = embedder.embedDocumentsEach(chunks.map((c) => embeddingText(doc, c)));
          writes.push(writeWhenEmbedded({ doc, chunks }, pending));
        }
        span.setAttribute(ATTR_CHUNK_COUNT, chunkCount);
      });
    } catch (err) {
      // Nothing of this attempt is written after it failed: what is in flight is finished first.
      await Promise.all(writes);
      await writer.close().catch(() => undefined);
      throw err;
    }
    const written = await withSpan(SPAN.embedDocuments, { [ATTR_CHUNK_COUNT]: chunkCount }, () =>
      Promise.all(writes),
    );
    await writer.close();
    const result = { documents: 0, chunks: 0 };
    for (const w of written) {
      if ('failure' in w) failed.push(w.failure);
      else {
        result.documents += 1;
        result.chunks += w.chunks;
      }
    }
    return result;
  }

  return {
    /**
     * Chunks, embeds and upserts a batch of documents and applies its deletions, in one activity so
     * vectors never enter workflow history. Documents that cannot be indexed (no text, a text the
     * model rejects) are returned as `failed` for the dead-letter topic; everything else is retried.
     */
    async ingestDocuments(documents: DocumentInput[]): Promise<IngestBatchResult> {
      const result: IngestBatchResult = { upserted: 0, deleted: 0, chunks: 0, failed: [] };
      const byCollection = new Map<string, DocumentInput[]>();
      for (const doc of documents) {
        const name = doc.collection ?? config.qdrantCollection;
        byCollection.set(name, [...(byCollection.get(name) ?? []), doc]);
      }
      try {
        await withHeartbeat(async () => {
          for (const [collection, docs] of byCollection) {
            await store.ensureCollection(collection);
            const deletes: StaleSelector[] = docs
              .filter((d) => d.op === 'delete')
              .map((d) => ({ id: d.id, version: d.version, inclusive: true }));
            await store.deleteStale(collection, deletes);
            result.deleted += deletes.length;
            const upserts = docs.filter((d) => d.op === 'upsert');
            const written = await embedAndWrite(collection, upserts, result.failed);
            result.upserted += written.documents;
            result.chunks += written.chunks;
          }
        });
      } catch (err) {
        throw toFailure(err);
      }
      ingestDocuments.inc({ op: 'upsert' }, result.upserted);
      ingestDocuments.inc({ op: 'delete' }, result.deleted);
      ingestChunks.inc(result.chunks);
      return result;
    },

    /** Publishes documents that failed for good to the dead-letter topic, each with its reason. */
    async reportFailedDocuments(
      documents: DocumentInput[],
      failures: FailedDocument[],
      source?: KafkaSource,
    ): Promise<void> {
      await deps.publisher.publishFailedDocuments(documents, failures, source);
    },
  };
}
