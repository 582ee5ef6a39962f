import { z } from 'zod';
import { describeIssues } from './describe-issues.ts';
import { InvalidMessageError, type ParseResult } from './errors.ts';
import { collectionField, idField } from './fields.ts';
import { parseJsonObject } from './json-value.ts';

/** Qdrant answers far fewer in practice; a bound keeps one query from asking for the whole index. */
export const MAX_TOP_K = 1000;

/** A valid message of the `queries` topic. */
export interface QueryMessage {
  requestId: string;
  text: string;
  topK?: number;
  filter?: Record<string, unknown>;
  collection?: string;
  mmr?: boolean;
}

/** `{requestId, text, topK?, filter?, collection?, mmr?}`; BEIR query lines (`_id`, `text`) are taken as they are. */
export const queryMessageSchema = z
  .object({
    requestId: idField.optional(),
    _id: idField.optional(),
    text: z
      .string({ error: 'is required and must be a string' })
      .refine((s) => s.trim() !== '', 'must not be blank'),
    topK: z
      .number({ error: `must be an integer from 1 to ${MAX_TOP_K}` })
      .int(`must be an integer from 1 to ${MAX_TOP_K}`)
      .min(1, `must be an integer from 1 to ${MAX_TOP_K}`)
      .max(MAX_TOP_K, `must be an integer from 1 to ${MAX_TOP_K}`)
      .optional(),
    // The filter's grammar is Qdrant's; the search checks it, here it only has to be an object.
    filter: z
      .record(z.string(), z.unknown(), { error: 'must be a JSON object (a Qdrant filter)' })
      .optional(),
    collection: collectionField.optional(),
    mmr: z.boolean({ error: 'must be true or false' }).optional(),
  })
  // `when`: runs even when other fields failed, so one answer lists every problem.
  .refine((q) => q.requestId !== undefined || q._id !== undefined, {
    path: ['requestId'],
    message: 'is required (or "_id", as in BEIR query files)',
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })
  .transform((q): QueryMessage => {
    const query: QueryMessage = { requestId: (q.requestId ?? q._id)!, text: q.text };
    if (q.topK !== undefined) query.topK = q.topK;
    if (q.filter !== undefined) query.filter = q.filter;
    if (q.collection !== undefined) query.collection = q.collection;
    if (q.mmr !== undefined) query.mmr = q.mmr;
    return query;
  });

/** Validates one consumed `queries` message. */
export function parseQueryMessage(value: Buffer | string | null): ParseResult<QueryMessage> {
  if (value === null)
    return {
      ok: false,
      error: new InvalidMessageError(
        'InvalidQuery',
        'message has no value: publish {"requestId": …, "text": …}',
      ),
    };
  const json = parseJsonObject(value);
  if (!json.ok) return json;
  const parsed = queryMessageSchema.safeParse(json.value);
  if (!parsed.success)
    return { ok: false, error: new InvalidMessageError('InvalidQuery', describeIssues(parsed.error.issues)) };
  return { ok: true, value: parsed.data };
}

/**
 * The request id of a query that failed validation, when one can still be read, so the asker gets
 * an error answer instead of waiting for a timeout.
 */
export function findRequestId(value: Buffer | string | null): string | undefined {
  if (value === null) return undefined;
  const json = parseJsonObject(value);
  if (!json.ok) return undefined;
  for (const field of ['requestId', '_id'] as const) {
    const id = idField.safeParse(json.value[field]);
    if (id.success) return id.data;
  }
  return undefined;
}
