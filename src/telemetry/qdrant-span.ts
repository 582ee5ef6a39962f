import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { qdrantRequestDuration } from '../metrics/registry.ts';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_QDRANT_BYTES,
  ATTR_QDRANT_POINTS,
  ATTR_SEARCH_FILTER,
  ATTR_SEARCH_TOP_K,
  DB_SYSTEM_VALUE_QDRANT,
  SPAN,
} from './semconv.ts';
import { withSpan } from './spans.ts';

/** What a Qdrant call is about; only the fields that apply are set. */
export interface QdrantCallInfo {
  collection?: string;
  points?: number;
  bytes?: number;
  topK?: number;
  /** The filter, serialized (JSON), when a search has one. */
  filter?: string;
}

function attributesOf(operation: string, info: QdrantCallInfo): Attributes {
  const attrs: Attributes = {
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_VALUE_QDRANT,
    [ATTR_DB_OPERATION_NAME]: operation,
  };
  if (info.collection !== undefined) attrs[ATTR_DB_COLLECTION_NAME] = info.collection;
  if (info.points !== undefined) attrs[ATTR_QDRANT_POINTS] = info.points;
  if (info.bytes !== undefined) attrs[ATTR_QDRANT_BYTES] = info.bytes;
  if (info.topK !== undefined) attrs[ATTR_SEARCH_TOP_K] = info.topK;
  if (info.filter !== undefined) attrs[ATTR_SEARCH_FILTER] = info.filter;
  return attrs;
}

/**
 * Wraps one Qdrant adapter call: a CLIENT span `qdrant.<operation>` (its HTTP requests, traced by
 * the undici instrumentation, are its children) and one observation of
 * `embedstream_qdrant_request_duration_seconds{operation, outcome}`. The outcome is "ok", or
 * `classify(err)` (the adapter's error type, e.g. "timeout", "rate_limited"), else the error's name.
 */
export async function withQdrantSpan<T>(
  operation: string,
  info: QdrantCallInfo,
  fn: (span: Span) => Promise<T>,
  classify?: (err: unknown) => string,
): Promise<T> {
  const started = performance.now();
  let outcome = 'ok';
  try {
    return await withSpan(`${SPAN.qdrantPrefix}${operation}`, attributesOf(operation, info), fn, {
      kind: SpanKind.CLIENT,
    });
  } catch (err) {
    outcome = classify?.(err) ?? (err instanceof Error ? err.name : 'error');
    throw err;
  } finally {
    qdrantRequestDuration.observe({ operation, outcome }, (performance.now() - started) / 1000);
  }
}
