import type { Message } from 'kafkajs';
import { parseDocumentMessage } from '../messages/document-message.ts';
import { readJsonLines } from '../messages/jsonl-file.ts';
import type { MessageProducer } from './producer.ts';

export interface PublishDocumentsOptions {
  producer: Pick<MessageProducer, 'send'>;
  topic: string;
  /** `delete`: publish a deletion of each line's id instead of the line itself. */
  mode: 'upsert' | 'delete';
  /** Messages per send at most. */
  batchMessages?: number;
  /** Called after each acknowledged send with the number of messages it carried. */
  onSent?(count: number): void;
  /** Called for each line that is not a valid document (it is skipped). */
  onInvalid?(where: string, reason: string): void;
}

export interface PublishDocumentsResult {
  published: number;
  skipped: number;
}

// The broker refuses a record batch over 1 MB (message.max.bytes); one send may put all its
// messages on a single partition, so a send stays below that whatever the keys hash to.
const MAX_SEND_BYTES = 900 * 1024;

/**
 * Publishes the documents of JSON-lines files, keyed by id, in batches acknowledged by all in-sync
 * replicas. Lines are published as they are (BEIR corpus lines included) once they pass the same
 * validation as the consumer applies, so a bad line is reported here with its line number instead
 * of surfacing later in the dead-letter topic. The next batch is read while the last one is sent.
 */
export async function publishDocuments(
  files: readonly string[],
  options: PublishDocumentsOptions,
): Promise<PublishDocumentsResult> {
  const maxMessages = options.batchMessages ?? 500;
  let batch: Message[] = [];
  let bytes = 0;
  let inflight: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  let published = 0;
  let skipped = 0;

  const flush = async () => {
    const messages = batch;
    batch = [];
    bytes = 0;
    await inflight;
    if (failure !== undefined) throw failure;
    if (messages.length === 0) return;
    // Handled here so a failure while the next batch is read is not an unhandled rejection; it is
    // rethrown at the next flush.
    inflight = options.producer.send(options.topic, messages).then(
      () => {
        published += messages.length;
        options.onSent?.(messages.length);
      },
      (err: unknown) => {
        failure = err instanceof Error ? err : new Error(String(err));
      },
    );
  };

  for (const file of files) {
    for await (const line of readJsonLines(file)) {
      const message = toMessage(line.text, options.mode);
      if ('error' in message) {
        skipped += 1;
        options.onInvalid?.(`${file}:${line.lineNumber}`, message.error);
        continue;
      }
      const size = Buffer.byteLength(message.value) + Buffer.byteLength(message.key);
      if (batch.length >= maxMessages || (batch.length > 0 && bytes + size > MAX_SEND_BYTES)) await flush();
      batch.push(message);
      bytes += size;
    }
  }
  await flush();
  await inflight;
  if (failure !== undefined) throw failure;
  return { published, skipped };
}

function toMessage(
  line: string,
  mode: 'upsert' | 'delete',
): { key: string; value: string } | { error: string } {
  if (mode === 'upsert') {
    const parsed = parseDocumentMessage(line);
    return parsed.ok ? { key: parsed.value.id, value: line } : { error: parsed.error.message };
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return { error: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { error: 'not a JSON object' };
  const parsed = parseDocumentMessage(JSON.stringify({ ...json, op: 'delete' }));
  if (!parsed.ok) return { error: parsed.error.message };
  const { id, op, collection } = parsed.value;
  return { key: id, value: JSON.stringify({ id, op, ...(collection ? { collection } : {}) }) };
}
