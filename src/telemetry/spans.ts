import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';

/** Name of the tracer every project span comes from (the instrumentation scope in Jaeger). */
export const TRACER_NAME = 'embedstream';

// A proxy tracer: it delegates to whatever provider the bootstrap registered, or to a no-op one.
const tracer: Tracer = trace.getTracer(TRACER_NAME);

export interface SpanOptions {
  kind?: SpanKind;
  links?: Link[];
  /** Parent context; the active one when absent. */
  parent?: Context;
  /** When the span started, if before now (`startSpan` only). */
  startTime?: TimeInput;
}

/**
 * Runs `fn` inside a new active span named `name`. A thrown error is recorded on the span as an
 * exception with status ERROR and rethrown; the span always ends, whatever `fn` does.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
  options: SpanOptions = {},
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes, links: options.links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks `span` failed by `err`: an exception event and status ERROR with the error's message. */
export function recordError(span: Span, err: unknown): void {
  if (err instanceof Error) {
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  } else {
    span.recordException(String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
  }
}

/** Starts a span without activating it, for work whose end is decided elsewhere (a batch's messages). */
export function startSpan(name: string, attributes: Attributes, options: SpanOptions = {}): Span {
  return tracer.startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes,
      links: options.links,
      ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
    },
    options.parent ?? context.active(),
  );
}

/** The trace id of the active span, for logs and command output; undefined when nothing is traced. */
export function activeTraceId(): string | undefined {
  const ctx = trace.getSpan(context.active())?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}
