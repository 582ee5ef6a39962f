import { SPAN } from '../semconv.ts';
import type { StageStats, TraceAnalysis } from './analysis.ts';
import type { EmbeddingFigures, QdrantFigures } from './cost-figures.ts';

/** One plain-language suggestion, with the figure that triggered it. */
export interface Recommendation {
  /** Stable id of the rule, for --json consumers and tests. */
  rule: string;
  text: string;
}

/** Thresholds of the rules; each says when a figure is worth a person's attention. */
export const THRESHOLDS = {
  /** Embedding stages holding this share of the journeys' wall time make it the bottleneck. */
  embeddingShare: 0.5,
  /** Activities waiting this share of the journeys' time for a worker slot. */
  activityWaitShare: 0.3,
  /** Journeys spending this share with no span open are waiting in Kafka or a queue. */
  gapShare: 0.3,
  /** Padding above this share means batches mix very different lengths. */
  paddingRatio: 0.3,
  /** Queue wait above inference time (and above this floor) means the engine is saturated. */
  queueFloorMs: 50,
  /** Upserts slower than this at p99 pay per-request costs that larger batches amortize. */
  upsertP99Ms: 250,
  /** Workflow starts slower than this at p95 make the consumer wait on Temporal. */
  workflowStartP95Ms: 200,
} as const;

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;
const ms = (us: number): string => `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`;

function isEmbeddingStage(name: string): boolean {
  return name === SPAN.embedBatch || name === SPAN.tokenize || name.startsWith('embed.');
}

/** Suggestions drawn from the figures, most important first. Pure. */
export function recommend(
  analysis: TraceAnalysis,
  embedding: EmbeddingFigures | undefined,
  qdrant: readonly QdrantFigures[],
): Recommendation[] {
  const out: Recommendation[] = [];
  if (analysis.traces === 0) {
    return [
      {
        rule: 'no-traces',
        text: 'No traces in this window: check that the pipeline ran, that OTEL_TRACES_ENABLED is true, and widen --since.',
      },
    ];
  }

  // Embedding inside the journeys (the wait) when traced there; else the batches' own run time,
  // measured against the journeys' time. Never both: the wait contains the run.
  const inJourney = analysis.stages.filter((s) => isEmbeddingStage(s.name) && !s.shared);
  const embeddingStages =
    inJourney.length > 0 ? inJourney : analysis.stages.filter((s) => isEmbeddingStage(s.name));
  const embeddingShare = embeddingStages.reduce((a, s) => a + s.wallShare, 0);
  if (embeddingShare >= THRESHOLDS.embeddingShare) {
    out.push({
      rule: 'embedding-bound',
      text: `Embedding holds ${pct(embeddingShare)} of the wall time (${embeddingStages.map((s) => s.name).join(', ')}): run more worker processes (one per spare core) or set EMBED_PRECISION=int8.`,
    });
  }

  // A StartActivity span is innermost while its activity is scheduled but not running: waiting
  // for a free slot on a worker (or for a retry's backoff).
  const waits = analysis.stages.filter(
    (s) => s.name.startsWith('StartActivity:') && s.wallShare >= THRESHOLDS.activityWaitShare,
  );
  for (const s of waits) {
    const activity = s.name.slice('StartActivity:'.length);
    out.push({
      rule: 'activity-wait',
      text: `Activities ${activity} waited to start for ${pct(s.wallShare)} of the wall time: the workers are busy; run more worker processes.`,
    });
  }

  if (analysis.gapShare >= THRESHOLDS.gapShare) {
    out.push({
      rule: 'untraced-gap',
      text: `${pct(analysis.gapShare)} of the wall time had no span open: documents waited in Kafka before a consumer fetched them; check consumer lag and run more consumer processes.`,
    });
  }

  if (embedding && embedding.paddedTokens > 0 && embedding.paddingRatio >= THRESHOLDS.paddingRatio) {
    out.push({
      rule: 'padding-high',
      text: `${pct(embedding.paddingRatio)} of the tokens the model computed were padding (${embedding.realTokens} real of ${embedding.paddedTokens}): lower EMBED_TOKEN_BUDGET_MAX${embedding.maxBudgetTokens === null ? '' : ` (batches were cut at up to ${embedding.maxBudgetTokens} tokens)`} so each batch holds texts of closer lengths.`,
    });
  }

  const queued = embedding?.meanQueuedMs ?? null;
  const run = embedding?.meanRunMs ?? null;
  if (queued !== null && run !== null && queued > run && queued >= THRESHOLDS.queueFloorMs) {
    out.push({
      rule: 'embedding-queue',
      text: `Embedding batches waited ${queued.toFixed(0)} ms in the queue on average for ${run.toFixed(0)} ms of inference: the engine is saturated; add worker processes or lower the ingest rate.`,
    });
  }

  const upsert = qdrant.find((q) => q.operation === 'upsert');
  if (upsert && upsert.p99Ms >= THRESHOLDS.upsertP99Ms) {
    out.push({
      rule: 'upsert-slow',
      text: `Qdrant upsert p99 is ${upsert.p99Ms.toFixed(0)} ms (p50 ${upsert.p50Ms.toFixed(0)} ms${upsert.meanPoints === null ? '' : `, ${upsert.meanPoints.toFixed(0)} points per call`}): send larger batches so the per-request cost is paid less often.`,
    });
  }

  const starts = analysis.stages.filter((s) => s.name.startsWith('StartWorkflow'));
  for (const s of starts) {
    if (s.p95Us / 1000 >= THRESHOLDS.workflowStartP95Ms) {
      out.push({
        rule: 'workflow-start-slow',
        text: `${s.name} p95 is ${ms(s.p95Us)}: the consumer waits on Temporal; hand off larger sub-batches (fewer workflows) or check the Temporal server's load.`,
      });
    }
  }

  const failing = analysis.stages.filter((s) => s.errors > 0);
  if (failing.length > 0) {
    out.push({
      rule: 'errors',
      text: `Spans ended in error: ${failing.map((s) => `${s.name} ×${s.errors}`).join(', ')}; open the slowest traces below or search Jaeger for error=true.`,
    });
  }

  if (out.length === 0) {
    const top: StageStats | undefined = analysis.stages[0];
    out.push({
      rule: 'balanced',
      text: top
        ? `No stage stands out: the largest, ${top.name}, holds ${pct(top.wallShare)} of the wall time (p95 ${ms(top.p95Us)}).`
        : 'No stage stands out.',
    });
  }
  return out;
}
