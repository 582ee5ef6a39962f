import type { Context } from '@opentelemetry/api';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { DocumentInput, KafkaSource } from '../../workflows/contracts.ts';
import { dlqMessages } from '../metrics/registry.ts';
import {
  ATTR_DLQ_REASON,
  ATTR_DOCUMENT_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  SPAN,
} from '../telemetry/semconv.ts';
import { injectTraceHeaders } from '../telemetry/kafka-context.ts';
import { withSpan } from '../telemetry/spans.ts';
import type { MessageProducer } from './producer.ts';

/** Headers a dead letter carries next to the original ones. */
export const DLQ_HEADER = {
  error: 'x-error',
  errorType: 'x-error-type',
  sourceTopic: 'x-source-topic',
  sourcePartition: 'x-source-partition',
  sourceOffset: 'x-source-offset',
  sourceTimestamp: 'x-source-timestamp',
  documentVersion: 'x-document-version',
} as const;

/** Why something was dead-lettered: a stable type (`InvalidDocument`, `DimensionMismatch`, …) and prose. */
export interface DeadLetterReason {
  type: string;
  message: string;
}

/** Where a consumed message came from. */
export interface MessageOrigin {
  topic: string;
  partition: number;
}

// Enough to explain any validation failure; a header is not the place for a whole stack trace.
const MAX_ERROR_CHARS = 2000;

function reasonOf(reason: DeadLetterReason | string): DeadLetterReason {
  return typeof reason === 'string' ? { type: 'IngestFailed', message: reason } : reason;
}

function errorHeaders(reason: DeadLetterReason): IHeaders {
  return {
    [DLQ_HEADER.error]: reason.message.slice(0, MAX_ERROR_CHARS),
    [DLQ_HEADER.errorType]: reason.type,
  };
}

/**
 * The dead letter of a consumed message: its original key and value bytes, its original headers,
 * and headers saying why and where it came from, so it can be fixed and replayed as it was.
 */
export function deadLetterOf(
  message: KafkaMessage,
  origin: MessageOrigin,
  reason: DeadLetterReason,
): Message {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      ...errorHeaders(reason),
      [DLQ_HEADER.sourceTopic]: origin.topic,
      [DLQ_HEADER.sourcePartition]: String(origin.partition),
      [DLQ_HEADER.sourceOffset]: message.offset,
      [DLQ_HEADER.sourceTimestamp]: message.timestamp,
    },
  };
}

/**
 * The dead letter of a document that failed for good inside a workflow. Its value is the document
 * as the `documents` topic takes it, so replaying it there is a plain re-publish.
 */
export function deadLetterOfDocument(
  document: DocumentInput,
  reason: DeadLetterReason,
  source?: Pick<KafkaSource, 'topic' | 'partition'>,
): Message {
  const { id, op, text, title, metadata, collection } = document;
  const headers: IHeaders = {
    ...errorHeaders(reason),
    [DLQ_HEADER.documentVersion]: String(document.version),
  };
  if (source) {
    headers[DLQ_HEADER.sourceTopic] = source.topic;
    headers[DLQ_HEADER.sourcePartition] = String(source.partition);
  }
  if (document.offset !== undefined) headers[DLQ_HEADER.sourceOffset] = document.offset;
  return { key: id, value: JSON.stringify({ id, op, text, title, metadata, collection }), headers };
}

/** Routes what cannot be processed to a dead-letter topic, with a `dlq.route` span and a count per reason. */
export class DeadLetterPublisher {
  readonly topic: string;
  readonly #producer: Pick<MessageProducer, 'sendAsIs'>;

  constructor(producer: Pick<MessageProducer, 'sendAsIs'>, topic: string) {
    this.#producer = producer;
    this.topic = topic;
  }

  /** Dead-letters one consumed message; `parent` is its `process` span, so the trace shows where it went. */
  async deadLetterMessage(
    message: KafkaMessage,
    origin: MessageOrigin,
    reason: DeadLetterReason,
    parent?: Context,
  ): Promise<void> {
    await withSpan(
      SPAN.dlqRoute,
      {
        [ATTR_DLQ_REASON]: reason.type,
        [ATTR_MESSAGING_DESTINATION_NAME]: this.topic,
        [ATTR_DOCUMENT_COUNT]: 1,
      },
      () => this.#producer.sendAsIs(this.topic, [deadLetterOf(message, origin, reason)]),
      parent ? { parent } : {},
    );
    dlqMessages.inc({ reason: reason.type });
  }

  /** Dead-letters documents that failed for good in a workflow, all for one reason. */
  async publishToDlq(
    documents: readonly DocumentInput[],
    reason: DeadLetterReason | string,
    source?: Pick<KafkaSource, 'topic' | 'partition'>,
  ): Promise<void> {
    const why = reasonOf(reason);
    await this.deadLetterDocuments(
      documents.map((document) => ({ document, reason: why })),
      source,
    );
  }

  /** Dead-letters documents that failed for good, each with its own reason, in one send. */
  async deadLetterDocuments(
    entries: readonly { document: DocumentInput; reason: DeadLetterReason }[],
    source?: Pick<KafkaSource, 'topic' | 'partition'>,
  ): Promise<void> {
    if (entries.length === 0) return;
    const reasons = [...new Set(entries.map((e) => e.reason.type))].join(',');
    await withSpan(
      SPAN.dlqRoute,
      {
        [ATTR_DLQ_REASON]: reasons,
        [ATTR_MESSAGING_DESTINATION_NAME]: this.topic,
        [ATTR_DOCUMENT_COUNT]: entries.length,
      },
      // Inside the span: each letter carries the failing activity's trace context, so the dead
      // letter leads back to the journey of the document in Jaeger.
      () =>
        this.#producer.sendAsIs(
          this.topic,
          entries.map((e) => {
            const letter = deadLetterOfDocument(e.document, e.reason, source);
            return { ...letter, headers: injectTraceHeaders(letter.headers) };
          }),
        ),
    );
    for (const e of entries) dlqMessages.inc({ reason: e.reason.type });
  }
}
