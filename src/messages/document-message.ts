import { z } from 'zod';
import { describeIssues } from './describe-issues.ts';
import { InvalidMessageError, type ParseResult } from './errors.ts';
import { collectionField, idField, metadataField, optionalText } from './fields.ts';
import { parseJsonObject } from './json-value.ts';

/** A valid message of the `documents` topic, before the consumer adds its Kafka version and offset. */
export interface DocumentMessage {
  id: string;
  op: 'upsert' | 'delete';
  /** Present (and not blank) for upserts. */
  text?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  collection?: string;
}

function isObject(payload: { value: unknown }): boolean {
  return typeof payload.value === 'object' && payload.value !== null;
}

/**
 * `{id, text, title?, metadata?, collection?, op?}`; BEIR corpus lines (`_id` instead of `id`) are
 * taken as they are. Unknown fields are ignored so producers may carry more.
 */
export const documentMessageSchema = z
  .object({
    id: idField.optional(),
    _id: idField.optional(),
    op: z.enum(['upsert', 'delete'], { error: 'must be "upsert" or "delete"' }).optional(),
    text: z.string({ error: 'must be a string' }).nullish(),
    title: optionalText,
    metadata: metadataField.nullish(),
    collection: collectionField.optional(),
  })
  // `when`: these run even when other fields failed, so one answer lists every problem.
  .refine((d) => d.id !== undefined || d._id !== undefined, {
    path: ['id'],
    message: 'is required (or "_id", as in BEIR corpus files)',
    when: isObject,
  })
  .superRefine(
    (d, ctx) => {
      const text: unknown = d.text;
      if (d.op !== 'delete' && (text === undefined || text === null))
        ctx.addIssue({ code: 'custom', path: ['text'], message: 'is required for an upsert' });
      else if (d.op !== 'delete' && typeof text === 'string' && text.trim() === '')
        ctx.addIssue({ code: 'custom', path: ['text'], message: 'must not be blank for an upsert' });
    },
    { when: isObject },
  )
  .transform((d): DocumentMessage => {
    const op = d.op ?? 'upsert';
    const doc: DocumentMessage = { id: (d.id ?? d._id)!, op };
    // A delete carries only its id: a text sent with it would only bloat workflow history.
    if (op === 'upsert') {
      doc.text = d.text!;
      if (d.title !== undefined) doc.title = d.title;
      if (d.metadata) doc.metadata = d.metadata;
    }
    if (d.collection !== undefined) doc.collection = d.collection;
    return doc;
  });

/**
 * Validates one consumed `documents` message. A message with a key must carry the same id, since
 * the key decides the partition and so the order in which versions of a document are applied. A
 * tombstone (a key and no value) deletes the document named by its key, as on compacted topics.
 */
export function parseDocumentMessage(
  value: Buffer | string | null,
  key?: Buffer | string | null,
): ParseResult<DocumentMessage> {
  const keyText = key === null || key === undefined ? undefined : key.toString();
  if (value === null) {
    if (keyText !== undefined && keyText.trim() !== '')
      return { ok: true, value: { id: keyText, op: 'delete' } };
    return {
      ok: false,
      error: new InvalidMessageError(
        'InvalidDocument',
        'message has neither a value nor a key: publish {"id": …, "text": …}',
      ),
    };
  }
  const json = parseJsonObject(value);
  if (!json.ok) return json;
  const parsed = documentMessageSchema.safeParse(json.value);
  if (!parsed.success)
    return {
      ok: false,
      error: new InvalidMessageError('InvalidDocument', describeIssues(parsed.error.issues)),
    };
  if (keyText !== undefined && keyText !== parsed.data.id) {
    return {
      ok: false,
      error: new InvalidMessageError(
        'KeyMismatch',
        `key ${JSON.stringify(keyText)} differs from id ${JSON.stringify(parsed.data.id)}: key each message by its document id so every version of a document lands on one partition, in order`,
      ),
    };
  }
  return { ok: true, value: parsed.data };
}
