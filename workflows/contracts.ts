/**
 * What crosses the boundary between consumers, the Temporal client and workflows. Everything here is
 * written to workflow history, so it carries ids, offsets and texts — never embedding vectors.
 */

export const INGEST_WORKFLOW = 'ingestBatch';
export const SEARCH_WORKFLOW = 'searchQuery';

/** Where a batch of documents came from; the ingest workflow id is derived from it. */
export interface KafkaSource {
  topic: string;
  partition: number;
  /** First and last offset of the sub-batch, inclusive (strings: Kafka offsets are 64-bit). */
  fromOffset: string;
  toOffset: string;
}

export interface DocumentInput {
  id: string;
  op: 'upsert' | 'delete';
  /** Required for upserts. */
  text?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  /** Qdrant collection; the configured default when absent. */
  collection?: string;
  /**
   * Monotonic per document (the Kafka message timestamp in ms, or the ingest time): a write never
   * replaces points of a newer version, and stale chunks of older versions are removed.
   */
  version: number;
  /** Kafka coordinates of the message, for dead-lettering and tracing. */
  offset?: string;
}

export interface IngestBatchInput {
  documents: DocumentInput[];
  source?: KafkaSource;
}

export interface FailedDocument {
  id: string;
  reason: string;
  /** Stable error type, e.g. `InvalidDocument` or `DimensionMismatch`. */
  type: string;
}

export interface IngestBatchResult {
  upserted: number;
  deleted: number;
  chunks: number;
  failed: FailedDocument[];
}

export interface SearchInput {
  requestId: string;
  text: string;
  topK: number;
  filter?: Record<string, unknown>;
  collection?: string;
  /** Re-rank the candidates for diversity (maximal marginal relevance). */
  mmr?: boolean;
  /** When set, the answer is also published to this Kafka topic, keyed by requestId. */
  replyTopic?: string;
  /** Epoch ms at which the query was published, so `tookMs` covers the whole path. */
  receivedAt?: number;
}

export interface SearchHit {
  id: string;
  score: number;
  title?: string;
  snippet?: string;
  metadata?: Record<string, unknown>;
}

export interface SearchAnswer {
  requestId: string;
  hits: SearchHit[];
  tookMs: number;
}

export interface SearchError {
  requestId: string;
  error: string;
}

/** Deterministic id: a redelivered sub-batch maps to the same workflow, whose start is then a no-op. */
export function ingestWorkflowId(source: KafkaSource): string {
  return `ingest-${source.topic}-${source.partition}-${source.fromOffset}-${source.toOffset}`;
}

/**
 * A query from Kafka is identified by its message (a redelivery starts nothing new), not by its
 * requestId: clients reuse request ids, and a reused one must still be answered. Queries from the
 * Temporal client directly carry a fresh request id.
 */
export function searchWorkflowId(
  requestId: string,
  message?: { topic: string; partition: number; offset: string },
): string {
  return message ? `search-${message.topic}-${message.partition}-${message.offset}` : `search-${requestId}`;
}
