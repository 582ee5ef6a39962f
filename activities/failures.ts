import { ApplicationFailure } from '@temporalio/common';
import { EmbeddingError } from '../src/embedding/index.ts';
import { VectorStoreError } from '../src/qdrant/index.ts';

/** Failure types retrying cannot fix; also listed in the activity presets (workflows/activity-options.ts). */
export const NON_RETRYABLE_TYPES = [
  'InvalidDocument',
  'DimensionMismatch',
  'InvalidQdrantRequest',
  'CollectionNotFound',
  'EmptyText',
  'TextEmbeddingFailed',
  'ModelLoadFailed',
] as const;

/**
 * Turns a classified error into an ApplicationFailure with its stable type, so Temporal's retry
 * policy sees whether it may retry; a 429's `Retry-After` becomes the next retry delay.
 */
export function toFailure(err: unknown): unknown {
  if (err instanceof VectorStoreError || err instanceof EmbeddingError) {
    const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
    return ApplicationFailure.create({
      message: err.message,
      type: err.type,
      nonRetryable: !err.retryable,
      cause: err,
      ...(retryAfter ? { nextRetryDelay: `${retryAfter}s` } : {}),
    });
  }
  return err;
}
