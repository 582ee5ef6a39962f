import { trace } from '@opentelemetry/api';
import type { BatchInfo } from '../src/embedding/index.ts';
import { paddingRatio, recordEmbedBatch } from '../src/metrics/index.ts';
import {
  ATTR_EMBED_LANE,
  ATTR_EMBED_PADDED_TOKENS,
  ATTR_EMBED_PADDING_RATIO,
  ATTR_EMBED_QUEUED_MS,
  ATTR_EMBED_REAL_TOKENS,
  ATTR_EMBED_RUN_MS,
  ATTR_EMBED_TEXTS,
  ATTR_EMBED_TOKEN_BUDGET,
  SPAN,
} from '../src/telemetry/semconv.ts';
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
      [ATTR_EMBED_LANE]: lane,
      [ATTR_EMBED_TEXTS]: info.texts,
      [ATTR_EMBED_REAL_TOKENS]: info.realTokens,
      [ATTR_EMBED_PADDED_TOKENS]: info.paddedTokens,
      [ATTR_EMBED_PADDING_RATIO]: paddingRatio(info.realTokens, info.paddedTokens),
      [ATTR_EMBED_TOKEN_BUDGET]: info.budget,
      [ATTR_EMBED_QUEUED_MS]: info.queuedMs,
      [ATTR_EMBED_RUN_MS]: info.runMs,
      'embedstream.embed.ok': info.ok,
    },
  });
  span.end(end);
}
