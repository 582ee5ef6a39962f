import { trace } from '@opentelemetry/api';
import type { BatchInfo } from '../src/embedding/index.ts';
import { paddingRatio, recordEmbedBatch } from '../src/metrics/index.ts';
import { SPAN } from '../src/telemetry/semconv.ts';
import { TRACER_NAME } from '../src/telemetry/spans.ts';

const tracer = trace.getTracer(TRACER_NAME);

/**
 * The engine's per-batch observer: metrics, and one `embed.batch` span per batch. A batch packs
 * texts of many activities, so the span is a root of its own, timed from the batch's real run.
 */
export function onEmbedBatch(info: BatchInfo): void {
  const lane = info.lane === 'query' ? 'query' : 'ingest';
  recordEmbedBatch({
    lane,
    texts: info.texts,
    realTokens: info.realTokens,
    paddedTokens: info.paddedTokens,
    inferenceSeconds: info.runMs / 1000,
    queuedSeconds: info.queuedMs / 1000,
  });
  const end = Date.now();
  const span = tracer.startSpan(SPAN.embedBatch, {
    startTime: end - info.runMs,
    root: true,
    attributes: {
      'embedstream.embed.lane': lane,
      'embedstream.embed.texts': info.texts,
      'embedstream.embed.real_tokens': info.realTokens,
      'embedstream.embed.padded_tokens': info.paddedTokens,
      'embedstream.embed.padding_ratio': paddingRatio(info.realTokens, info.paddedTokens),
      'embedstream.embed.budget': info.budget,
      'embedstream.embed.queued_ms': info.queuedMs,
      'embedstream.embed.run_ms': info.runMs,
      'embedstream.embed.ok': info.ok,
    },
  });
  span.end(end);
}
