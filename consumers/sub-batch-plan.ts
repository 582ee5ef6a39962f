import type { KafkaMessage } from 'kafkajs';
import type { DocumentInput } from '../workflows/contracts.ts';
import { InvalidMessageError, parseDocumentMessage } from '../src/messages/index.ts';

/** Where the document consumer cuts a consumed batch into ingest workflows. */
export interface SubBatchLimits {
  /** Valid messages per sub-batch at most (INGEST_BATCH_DOCS). */
  maxDocs: number;
  /** Serialized documents per sub-batch at most, in bytes (INGEST_BATCH_BYTES). */
  maxBytes: number;
  /** Message time a sub-batch may span, in ms (INGEST_BATCH_MAX_WAIT_MS). */
  maxWaitMs: number;
}

export interface DeadLetter {
  message: KafkaMessage;
  error: InvalidMessageError;
}

/** A run of consecutive offsets handed off together: one ingest workflow, plus its dead letters. */
export interface SubBatch {
  /** First and last offset of the run, inclusive; the workflow id is derived from them. */
  fromOffset: string;
  toOffset: string;
  /** One operation per document: the last message of each (collection, id) in the run. */
  documents: DocumentInput[];
  /** The valid messages of the run, in offset order (tracing links each to its producer). */
  messages: KafkaMessage[];
  /** Invalid messages inside the run, routed to the dead-letter topic before the hand-off. */
  deadLetters: DeadLetter[];
  /** Serialized documents plus dead-letter values, in bytes. */
  bytes: number;
  /** What ended the run: a limit, the end of the log, or an invalid message with no run open. */
  closedBy: 'docs' | 'bytes' | 'time' | 'tail' | 'dead-letter';
}

/** A partly filled run at the end of the batch, left unresolved so the next fetch brings it back. */
export interface HeldTail {
  fromOffset: string;
  /** Epoch ms after which a fetch that finds nothing more may hand it off as it is. */
  releaseAt: number;
  /** `more-in-log`: the fetch stopped short of the high watermark, so its successors are already there. */
  reason: 'young' | 'more-in-log';
}

export interface BatchPlan {
  subBatches: SubBatch[];
  held?: HeldTail;
}

/** What is known about the fetch that returned the batch, to decide whether its tail is complete. */
export interface FetchContext {
  /** The batch ends at the partition's high watermark: the log held nothing after it. */
  atHighWatermark: boolean;
  /** Epoch ms before which that fetch cannot have been sent (undefined: unknown). */
  fetchedNotBefore: number | undefined;
}

/** Bytes the document adds to the workflow input (what Temporal's payload limit counts). */
export function serializedBytes(document: DocumentInput): number {
  return Buffer.byteLength(JSON.stringify(document));
}

/** Keeps, for each (collection, id), only its last operation, in the order of those last operations. */
export function lastOperationPerDocument(documents: readonly DocumentInput[]): DocumentInput[] {
  const key = (d: DocumentInput) => `${d.collection ?? ''}\u0000${d.id}`;
  const last = new Map<string, number>();
  documents.forEach((d, i) => last.set(key(d), i));
  return documents.filter((d, i) => last.get(key(d)) === i);
}

class RunBuilder {
  readonly fromOffset: string;
  readonly firstTimestamp: number;
  toOffset: string;
  bytes = 0;
  readonly documents: DocumentInput[] = [];
  readonly messages: KafkaMessage[] = [];
  readonly deadLetters: DeadLetter[] = [];

  constructor(first: KafkaMessage) {
    this.fromOffset = first.offset;
    this.toOffset = first.offset;
    this.firstTimestamp = Number(first.timestamp);
  }

  add(message: KafkaMessage, document: DocumentInput, bytes: number): void {
    this.messages.push(message);
    this.documents.push(document);
    this.bytes += bytes;
    this.toOffset = message.offset;
  }

  addDeadLetter(letter: DeadLetter, bytes: number): void {
    this.deadLetters.push(letter);
    this.bytes += bytes;
    this.toOffset = letter.message.offset;
  }

  close(closedBy: SubBatch['closedBy']): SubBatch {
    return {
      fromOffset: this.fromOffset,
      toOffset: this.toOffset,
      documents: lastOperationPerDocument(this.documents),
      messages: this.messages,
      deadLetters: this.deadLetters,
      bytes: this.bytes,
      closedBy,
    };
  }
}

/**
 * Validates a consumed batch and cuts it into sub-batches. Every rule depends only on the log (the
 * messages, their offsets and timestamps), never on where a fetch happened to end, so a batch
 * redelivered after a crash is cut into the same sub-batches, with the same workflow ids:
 * - a run closes when it holds `maxDocs` messages, when the next document would take it past
 *   `maxBytes`, or when the next message is more than `maxWaitMs` younger than its first one;
 * - a run still open at the end of the batch is handed off only when the fetch reached the high
 *   watermark and was sent after the run's window closed, so nothing can join it later; otherwise
 *   it is held (left unresolved) and comes back at the front of the next fetch;
 * - an invalid message joins the open run (its offset is resolved with the run), or stands alone;
 *   a document too large for any workflow input is such an invalid message.
 */
export function planSubBatches(
  messages: readonly KafkaMessage[],
  limits: SubBatchLimits,
  fetch: FetchContext,
): BatchPlan {
  const subBatches: SubBatch[] = [];
  let open: RunBuilder | undefined;
  const deadLetter = (letter: DeadLetter) => {
    // Dead letters count towards the run's bytes too, so a run, and the fetch that must bring it
    // back whole with its successor when it is held, stays bounded however large bad messages are.
    const bytes = letter.message.value?.length ?? 0;
    if (open && open.bytes + bytes > limits.maxBytes) {
      subBatches.push(open.close('bytes'));
      open = undefined;
    }
    if (open) open.addDeadLetter(letter, bytes);
    else
      subBatches.push({
        fromOffset: letter.message.offset,
        toOffset: letter.message.offset,
        documents: [],
        messages: [],
        deadLetters: [letter],
        bytes,
        closedBy: 'dead-letter',
      });
  };

  for (const message of messages) {
    const parsed = parseDocumentMessage(message.value, message.key);
    if (!parsed.ok) {
      deadLetter({ message, error: parsed.error });
      continue;
    }
    const document: DocumentInput = {
      ...parsed.value,
      version: Number(message.timestamp),
      offset: message.offset,
    };
    const bytes = serializedBytes(document);
    if (bytes > limits.maxBytes) {
      const why = `document is ${bytes} bytes serialized; one ingest workflow takes at most ${limits.maxBytes} (INGEST_BATCH_BYTES): split it or shorten its text`;
      deadLetter({ message, error: new InvalidMessageError('DocumentTooLarge', why) });
      continue;
    }
    if (open && open.bytes + bytes > limits.maxBytes) {
      subBatches.push(open.close('bytes'));
      open = undefined;
    } else if (open && Number(message.timestamp) > open.firstTimestamp + limits.maxWaitMs) {
      subBatches.push(open.close('time'));
      open = undefined;
    }
    open ??= new RunBuilder(message);
    open.add(message, document, bytes);
    if (open.messages.length >= limits.maxDocs) {
      subBatches.push(open.close('docs'));
      open = undefined;
    }
  }

  if (!open) return { subBatches };
  const releaseAt = open.firstTimestamp + limits.maxWaitMs;
  if (fetch.atHighWatermark && fetch.fetchedNotBefore !== undefined && fetch.fetchedNotBefore > releaseAt) {
    subBatches.push(open.close('tail'));
    return { subBatches };
  }
  return {
    subBatches,
    held: { fromOffset: open.fromOffset, releaseAt, reason: fetch.atHighWatermark ? 'young' : 'more-in-log' },
  };
}
