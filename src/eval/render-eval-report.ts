import type { DatasetFiles } from './beir-dataset.ts';
import { metricLabel } from './ranking-metrics.ts';
import type { ReferenceScores } from './reference-scores.ts';
import type { EvalOutcome } from './run-eval.ts';

export interface ReportContext {
  dataset: DatasetFiles;
  split: string;
  collection: string;
  reference?: ReferenceScores;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The metrics table, with the reference and the difference beside each metric it has a figure for. */
export function renderMetricsTable(outcome: EvalOutcome, reference?: ReferenceScores): string {
  const rows = outcome.metrics.map((spec) => {
    const label = metricLabel(spec);
    const value = outcome.evaluation.means.get(label) ?? 0;
    const ref = reference?.scores[label];
    const diff = ref === undefined ? '' : `${value - ref >= 0 ? '+' : ''}${(value - ref).toFixed(5)}`;
    return [label, value.toFixed(5), ref === undefined ? '' : ref.toFixed(5), diff];
  });
  const header = reference ? ['metric', 'embedstream', 'reference', 'difference'] : ['metric', 'embedstream'];
  const table = [header, ...rows.map((r) => r.slice(0, header.length))];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

/** The whole report for a terminal: what was evaluated, the table, and anything that went wrong. */
export function renderEvalReport(outcome: EvalOutcome, context: ReportContext): string {
  const { evaluation, documents, queries } = outcome;
  const took = [...queries.tookMs].sort((a, b) => a - b);
  const lines = [
    `dataset     ${context.dataset.name} (${context.dataset.layout} layout, split ${context.split})`,
    `collection  ${context.collection}`,
    outcome.reusedIndex
      ? 'documents   indexed by an earlier run (--reuse-index)'
      : `documents   ${documents.indexed} indexed in ${documents.chunks} chunks (${outcome.ingestSeconds.toFixed(1)} s)`,
    `queries     ${evaluation.queries} judged, answered in ${outcome.searchSeconds.toFixed(1)} s ` +
      `(p50 ${percentile(took, 50)} ms, p95 ${percentile(took, 95)} ms per query)`,
    '',
    renderMetricsTable(outcome, context.reference),
  ];
  if (context.reference) {
    lines.push(
      '',
      `reference: ${context.reference.source}.`,
      `${context.reference.setup}; embedstream embeds "title\\nchunk" per chunk and ranks documents by their best chunk.`,
    );
  }
  if (documents.withoutText.length > 0)
    lines.push(
      '',
      `${documents.withoutText.length} corpus records had neither text nor title and were left out.`,
    );
  if (documents.failed.length > 0) {
    const first = documents.failed[0]!;
    lines.push(
      '',
      `${documents.failed.length} documents could not be indexed (dead-lettered), e.g. ${first.id}: ${first.type}: ${first.reason}`,
    );
  }
  if (queries.failed.length > 0) {
    const first = queries.failed[0]!;
    lines.push(
      '',
      `${queries.failed.length} queries failed and count as 0, e.g. ${first.id}: ${first.reason}`,
    );
    if (outcome.reusedIndex && queries.failed.length === queries.judged) {
      lines.push('Every query failed: run once without --reuse-index so the collection is indexed.');
    }
  }
  if (evaluation.missing > queries.failed.length) {
    lines.push(
      '',
      `${evaluation.missing - queries.failed.length} judged queries are not in the queries file and count as 0.`,
    );
  }
  return lines.join('\n');
}

/** Everything a later comparison needs, for `--out`: settings, means, and every query's scores and ranking. */
export function evalReportJson(outcome: EvalOutcome, context: ReportContext): Record<string, unknown> {
  return {
    dataset: context.dataset.name,
    layout: context.dataset.layout,
    split: context.split,
    collection: context.collection,
    documents: {
      indexed: outcome.documents.indexed,
      chunks: outcome.documents.chunks,
      withoutText: outcome.documents.withoutText,
      failed: outcome.documents.failed,
    },
    queries: {
      judged: outcome.evaluation.queries,
      missing: outcome.evaluation.missing,
      failed: outcome.queries.failed,
    },
    seconds: { ingest: outcome.ingestSeconds, search: outcome.searchSeconds },
    metrics: Object.fromEntries(outcome.evaluation.means),
    ...(context.reference ? { reference: context.reference } : {}),
    perQuery: Object.fromEntries(
      [...outcome.evaluation.perQuery].map(([id, scores]) => [
        id,
        { metrics: Object.fromEntries(scores), ranked: outcome.ranked.get(id) ?? [] },
      ]),
    ),
  };
}
