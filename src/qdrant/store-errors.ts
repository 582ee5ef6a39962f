import {
  QdrantClientResourceExhaustedError,
  QdrantClientTimeoutError,
  QdrantClientUnexpectedResponseError,
} from '@qdrant/js-client-rest';

/** Base of the errors the vector store raises; `type` is the stable Temporal failure type. */
export abstract class VectorStoreError extends Error {
  abstract readonly type: string;
  abstract readonly retryable: boolean;
}

/** Thrown for timeouts, connection failures, 429 and 5xx answers: the same call may succeed later. */
export class TransientStoreError extends VectorStoreError {
  override readonly name = 'TransientStoreError';
  readonly type = 'QdrantUnavailable';
  readonly retryable = true;
  /** Seconds the server asked us to wait (429 `Retry-After`), if any. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, retryAfterSeconds?: number, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Thrown when a collection exists with another vector size or distance than the model needs. */
export class DimensionMismatchError extends VectorStoreError {
  override readonly name = 'DimensionMismatchError';
  readonly type = 'DimensionMismatch';
  readonly retryable = false;
}

/** Thrown for requests Qdrant rejects as wrong (4xx other than 404/429): retrying cannot help. */
export class InvalidStoreRequestError extends VectorStoreError {
  override readonly name = 'InvalidStoreRequestError';
  readonly type = 'InvalidQdrantRequest';
  readonly retryable = false;
}

/** Thrown when a collection named by a request does not exist. */
export class CollectionNotFoundError extends VectorStoreError {
  override readonly name = 'CollectionNotFoundError';
  readonly type = 'CollectionNotFound';
  readonly retryable = false;
}

function truncated(value: unknown, max = 300): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps whatever the Qdrant client threw to a VectorStoreError, at the boundary, so callers and
 * Temporal's retry policy only ever see the classes above.
 */
export function classifyQdrantError(err: unknown, what: string): VectorStoreError {
  if (err instanceof VectorStoreError) return err;
  if (err instanceof QdrantClientResourceExhaustedError)
    return new TransientStoreError(`${what}: Qdrant is overloaded (429)`, err.retry_after, { cause: err });
  if (err instanceof QdrantClientTimeoutError)
    return new TransientStoreError(`${what}: Qdrant did not answer in time`, undefined, { cause: err });
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number') {
    const body = truncated((err as { data?: unknown }).data ?? (err as Error).message);
    if (status === 404) return new CollectionNotFoundError(`${what}: ${body}`, { cause: err });
    if (status === 429 || status >= 500)
      return new TransientStoreError(`${what}: Qdrant answered ${status}: ${body}`, undefined, {
        cause: err,
      });
    if (/dimension/i.test(body)) return new DimensionMismatchError(`${what}: ${body}`, { cause: err });
    return new InvalidStoreRequestError(`${what}: Qdrant answered ${status}: ${body}`, { cause: err });
  }
  if (err instanceof QdrantClientUnexpectedResponseError)
    return new TransientStoreError(`${what}: unexpected answer from Qdrant: ${err.message}`, undefined, {
      cause: err,
    });
  const code = causeCode(err);
  if ((code && TRANSIENT_CODES.has(code)) || (err instanceof TypeError && err.message === 'fetch failed'))
    return new TransientStoreError(
      `${what}: cannot reach Qdrant (${code ?? 'fetch failed'}); is it running at QDRANT_URL?`,
      undefined,
      { cause: err },
    );
  // Anything else is a programming error: surfaced as is, never retried as if transient.
  throw err;
}
