import { z } from 'zod';

/** Kafka keys and Qdrant payloads stay readable; longer ids are almost always a mistake. */
export const MAX_ID_CHARS = 512;

/** A document or request id: a non-blank string, or an integer (written as a string). */
export const idField = z.preprocess(
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v),
  z
    .string({ error: 'must be a string or an integer' })
    // Kept exactly as sent (no trimming): an id is an identity, and the message key must match it.
    .refine((s) => s.trim() !== '', 'must not be blank')
    .refine((s) => s.length <= MAX_ID_CHARS, `must be at most ${MAX_ID_CHARS} characters`),
);

/** Qdrant collection names: letters, digits, ".", "_" and "-". */
export const collectionField = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be 1 to 255 letters, digits, ".", "_" or "-"');

/** Free-form metadata: one JSON object (stored with each chunk, filterable in queries). */
export const metadataField = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

/** An optional string where `null` and "" mean absent (BEIR corpora carry empty titles). */
export const optionalText = z
  .string({ error: 'must be a string' })
  .nullish()
  .transform((v) => (v === null || v === undefined || v.trim() === '' ? undefined : v));
