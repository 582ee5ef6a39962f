import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { IHeaders, KafkaMessage, Message, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_RECEIVE,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_SYSTEM_VALUE_KAFKA,
} from './semconv.ts';
import { recordError, startSpan, withSpan } from './spans.ts';

/** Reads header values as consumed (Buffers) or as produced (strings). */
export const kafkaHeadersGetter: TextMapGetter<IHeaders | undefined> = {
  keys: (carrier) => Object.keys(carrier ?? {}),
  get: (carrier, key) => {
    const value = carrier?.[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  },
};

export const kafkaHeadersSetter: TextMapSetter<IHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** A copy of `headers` with `ctx`'s trace context (`traceparent`, `tracestate`, `baggage`) added. */
export function injectTraceHeaders(headers: IHeaders = {}, ctx: Context = context.active()): IHeaders {
  const out: IHeaders = { ...headers };
  propagation.inject(ctx, out, kafkaHeadersSetter);
  return out;
}

/** The producer's context carried by a message, on top of an empty context. */
export function extractTraceContext(headers: IHeaders | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, kafkaHeadersGetter);
}

/** A link to the span that produced a message, when its headers carry one. */
export function producerLink(headers: IHeaders | undefined): Link | undefined {
  const spanContext = trace.getSpanContext(extractTraceContext(headers));
  return spanContext && trace.isSpanContextValid(spanContext) ? { context: spanContext } : undefined;
}

function messageKey(key: Buffer | string | null | undefined): string | undefined {
  return key === null || key === undefined ? undefined : key.toString();
}

function bodySize(value: Buffer | string | null): number {
  if (value === null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * `producer.send` with one PRODUCER span `send <topic>` per message, each message carrying its own
 * span's context. Each span starts a new trace (linked to the caller's span, if any), so every
 * document's journey is its own trace instead of one giant trace per bulk publish; with
 * `inCallerTrace` the spans are children of the caller's span instead (one reply to one request,
 * such as the answer to a query, belongs to the request's trace).
 */
export async function sendTraced(
  producer: Pick<Producer, 'send'>,
  record: ProducerRecord,
  options: { inCallerTrace?: boolean } = {},
): Promise<RecordMetadata[]> {
  const caller = context.active();
  const callerSpan = trace.getSpanContext(caller);
  const links =
    !options.inCallerTrace && callerSpan && trace.isSpanContextValid(callerSpan)
      ? [{ context: callerSpan }]
      : [];
  const parent = options.inCallerTrace ? caller : ROOT_CONTEXT;
  const spans: Span[] = [];
  const messages: Message[] = record.messages.map((message) => {
    const key = messageKey(message.key);
    const span = startSpan(
      `${MESSAGING_OPERATION_TYPE_VALUE_SEND} ${record.topic}`,
      {
        [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
        [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
        [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
        [ATTR_MESSAGING_DESTINATION_NAME]: record.topic,
        [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: bodySize(message.value),
        ...(key === undefined ? {} : { [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: key }),
      },
      { kind: SpanKind.PRODUCER, parent, links },
    );
    spans.push(span);
    return { ...message, headers: injectTraceHeaders(message.headers, trace.setSpan(parent, span)) };
  });
  try {
    return await producer.send({ ...record, messages });
  } catch (err) {
    for (const span of spans) recordError(span, err);
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}

/** The consumed batch as kafkajs hands it to `eachBatch` (only the fields tracing reads). */
export interface ReceivedBatch {
  topic: string;
  partition: number;
  messages: readonly KafkaMessage[];
}

/** Tracing handles of one received batch, passed to the batch handler. */
export interface TracedBatch {
  /** Context of the `receive` span (the active one inside the handler). */
  readonly context: Context;
  /** Context of a message's `process` span (made on first use): parent of per-message work such as DLQ routing. */
  processContext(message: KafkaMessage): Context;
  /** Marks one message's `process` span failed (the batch goes on). */
  fail(message: KafkaMessage, err: unknown): void;
  /**
   * Runs `fn` (the hand-off of a sub-batch to Temporal) in a `hand-off <topic>` span linked to each
   * message's producer; the messages count as processed by this fetch. When every message comes
   * from one trace, that trace is the parent, so a document's journey from `publish` to Qdrant
   * reads as one trace; otherwise the `receive` span is.
   */
  handOff<T>(messages: readonly KafkaMessage[], fn: () => Promise<T>): Promise<T>;
}

/**
 * Traces one `eachBatch` call as the messaging conventions describe a batch: one `receive` span
 * (a new trace), and a `process` span, its child, linked to the message's producer, for each message
 * the handler processed: handed off (`handOff`), dead-lettered (`fail`, `processContext`). A message
 * the handler leaves unresolved for a later fetch (a held tail, a paused partition) gets its span
 * on the fetch that processes it, so a re-fetched message is not counted twice. Process spans start
 * with the `receive` span; all of them end when `fn` settles.
 */
export async function traceBatch<T>(
  batch: ReceivedBatch,
  fn: (traced: TracedBatch) => Promise<T>,
  options: { groupId?: string } = {},
): Promise<T> {
  const common = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
    [ATTR_MESSAGING_DESTINATION_NAME]: batch.topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(batch.partition),
    ...(options.groupId ? { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: options.groupId } : {}),
  };
  // Epoch milliseconds with the monotonic clock's fraction: the process spans made later start here too.
  const receivedAt = performance.timeOrigin + performance.now();
  const receive = startSpan(
    `${MESSAGING_OPERATION_TYPE_VALUE_RECEIVE} ${batch.topic}`,
    {
      ...common,
      [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_RECEIVE,
      [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_VALUE_RECEIVE,
      [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: batch.messages.length,
    },
    { kind: SpanKind.CONSUMER, parent: ROOT_CONTEXT, startTime: receivedAt },
  );
  const receiveContext = trace.setSpan(ROOT_CONTEXT, receive);
  const processSpans = new Map<string, Span>();
  const processSpan = (message: KafkaMessage): Span => {
    let span = processSpans.get(message.offset);
    if (!span) {
      const key = messageKey(message.key);
      const link = producerLink(message.headers);
      span = startSpan(
        `${MESSAGING_OPERATION_TYPE_VALUE_PROCESS} ${batch.topic}`,
        {
          ...common,
          [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
          [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
          [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
          [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: bodySize(message.value),
          ...(key === undefined ? {} : { [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: key }),
        },
        { kind: SpanKind.CONSUMER, parent: receiveContext, links: link ? [link] : [], startTime: receivedAt },
      );
      processSpans.set(message.offset, span);
    }
    return span;
  };

  const traced: TracedBatch = {
    context: receiveContext,
    processContext: (message) => trace.setSpan(receiveContext, processSpan(message)),
    fail: (message, err) => recordError(processSpan(message), err),
    handOff: (messages, handOffFn) => {
      for (const message of messages) processSpan(message);
      const links = messages.map((m) => producerLink(m.headers)).filter((l): l is Link => l !== undefined);
      const traceIds = new Set(links.map((l) => l.context.traceId));
      const oneTrace = traceIds.size === 1 && links.length === messages.length;
      const parentSpan = oneTrace ? links[0]!.context : undefined;
      // A link to the parent itself would make Jaeger draw the parent as a mere reference.
      const otherLinks = links.filter((l) => l.context.spanId !== parentSpan?.spanId);
      return withSpan(
        `hand-off ${batch.topic}`,
        { ...common, [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: messages.length },
        handOffFn,
        parentSpan
          ? {
              parent: trace.setSpanContext(ROOT_CONTEXT, parentSpan),
              links: [{ context: receive.spanContext() }, ...otherLinks],
            }
          : { parent: receiveContext, links: otherLinks },
      );
    },
  };

  try {
    return await context.with(receiveContext, () => fn(traced));
  } catch (err) {
    recordError(receive, err);
    throw err;
  } finally {
    for (const span of processSpans.values()) span.end();
    receive.end();
  }
}
