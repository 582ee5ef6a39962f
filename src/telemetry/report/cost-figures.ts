import {
  ATTR_EMBED_RUN_MS,
  ATTR_EMBED_PADDED_TOKENS,
  ATTR_EMBED_QUEUED_MS,
  ATTR_EMBED_REAL_TOKENS,
  ATTR_EMBED_TEXTS,
  ATTR_EMBED_TOKEN_BUDGET,
  ATTR_QDRANT_POINTS,
  SPAN,
} from '../semconv.ts';
import { percentile } from './analysis.ts';
import type { ReportSpan, ReportTrace } from './trace-model.ts';

/** What the `embed.batch` spans' attributes say about the embedding engine. */
export interface EmbeddingFigures {
  batches: number;
  texts: number;
  realTokens: number;
  paddedTokens: number;
  /** 1 − real/padded over all batches: the share of computed tokens that were padding. */
  paddingRatio: number;
  meanTextsPerBatch: number;
  /** null when the spans carry no such attribute. */
  meanQueuedMs: number | null;
  meanRunMs: number | null;
  /** Largest token budget a batch was cut with; null when not recorded. */
  maxBudgetTokens: number | null;
}

/** Figures of one Qdrant operation (`qdrant.<op>` spans). */
export interface QdrantFigures {
  operation: string;
  calls: number;
  /** null when the calls carry no point count (collection management). */
  meanPoints: number | null;
  p50Ms: number;
  p99Ms: number;
}

function num(span: ReportSpan, key: string): number | undefined {
  const v = span.attributes[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function spansNamed(traces: readonly ReportTrace[], test: (name: string) => boolean): ReportSpan[] {
  return traces.flatMap((t) => t.spans.filter((s) => test(s.name)));
}

const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const meanOrNull = (xs: number[]): number | null => (xs.length === 0 ? null : mean(xs));

export function embeddingFigures(traces: readonly ReportTrace[]): EmbeddingFigures | undefined {
  const spans = spansNamed(traces, (n) => n === SPAN.embedBatch);
  if (spans.length === 0) return undefined;
  const sum = (key: string): number => spans.reduce((a, s) => a + (num(s, key) ?? 0), 0);
  const values = (key: string): number[] =>
    spans.map((s) => num(s, key)).filter((v): v is number => v !== undefined);
  const realTokens = sum(ATTR_EMBED_REAL_TOKENS);
  const paddedTokens = sum(ATTR_EMBED_PADDED_TOKENS);
  const texts = sum(ATTR_EMBED_TEXTS);
  return {
    batches: spans.length,
    texts,
    realTokens,
    paddedTokens,
    paddingRatio: paddedTokens > 0 ? 1 - realTokens / paddedTokens : 0,
    meanTextsPerBatch: texts / spans.length,
    meanQueuedMs: meanOrNull(values(ATTR_EMBED_QUEUED_MS)),
    meanRunMs: meanOrNull(values(ATTR_EMBED_RUN_MS)),
    maxBudgetTokens: values(ATTR_EMBED_TOKEN_BUDGET).reduce<number | null>(
      (a, b) => Math.max(a ?? b, b),
      null,
    ),
  };
}

export function qdrantFigures(traces: readonly ReportTrace[]): QdrantFigures[] {
  const byOp = new Map<string, ReportSpan[]>();
  for (const s of spansNamed(traces, (n) => n.startsWith(SPAN.qdrantPrefix))) {
    const op = s.name.slice(SPAN.qdrantPrefix.length);
    const list = byOp.get(op) ?? [];
    list.push(s);
    byOp.set(op, list);
  }
  return [...byOp]
    .map(([operation, spans]) => {
      const ms = spans.map((s) => s.durationUs / 1000).sort((a, b) => a - b);
      const points = spans.map((s) => num(s, ATTR_QDRANT_POINTS)).filter((v): v is number => v !== undefined);
      return {
        operation,
        calls: spans.length,
        meanPoints: meanOrNull(points),
        p50Ms: percentile(ms, 50),
        p99Ms: percentile(ms, 99),
      };
    })
    .sort((a, b) => a.operation.localeCompare(b.operation));
}
