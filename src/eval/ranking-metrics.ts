/**
 * Retrieval metrics with trec_eval's definitions (as pytrec_eval, BEIR and MTEB compute them), so
 * figures can be set beside published ones. A document is relevant when its grade is at least 1;
 * grades are the gains of nDCG.
 */

/** Graded judgements of one query: document id → grade (0 or less: judged not relevant). */
export type Judgements = ReadonlyMap<string, number>;
/** Judgements of every query: query id → judgements. */
export type Qrels = ReadonlyMap<string, Judgements>;
/** Document ids retrieved for each query, best first. */
export type Run = ReadonlyMap<string, readonly string[]>;

export type MetricKind = 'nDCG' | 'Recall' | 'MRR' | 'MAP';

export interface MetricSpec {
  kind: MetricKind;
  /** Cut-off: only the first `k` retrieved documents count. */
  k: number;
}

/** The figures BEIR and the MTEB leaderboard report for retrieval. */
export const STANDARD_METRICS: readonly MetricSpec[] = [
  { kind: 'nDCG', k: 10 },
  { kind: 'Recall', k: 10 },
  { kind: 'Recall', k: 100 },
  { kind: 'MRR', k: 10 },
  { kind: 'MAP', k: 10 },
];

export function metricLabel(spec: MetricSpec): string {
  return `${spec.kind}@${spec.k}`;
}

function gain(judgements: Judgements, id: string): number {
  const grade = judgements.get(id) ?? 0;
  return grade > 0 ? grade : 0;
}

function relevantCount(judgements: Judgements): number {
  let n = 0;
  for (const grade of judgements.values()) if (grade >= 1) n++;
  return n;
}

/**
 * The first `k` distinct ids: a document retrieved twice (two chunks that escaped grouping) must
 * not earn its gain twice.
 */
function topK(ranked: readonly string[], k: number): string[] {
  const seen = new Set<string>();
  const top: string[] = [];
  for (const id of ranked) {
    if (top.length >= k) break;
    if (seen.has(id)) continue;
    seen.add(id);
    top.push(id);
  }
  return top;
}

/** Σ gain / log2(rank + 1) over the first `k` ids (ranks from 1). */
function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) sum += gains[i]! / Math.log2(i + 2);
  return sum;
}

/** nDCG@k: DCG of the ranking over the DCG of the ideal ranking of every judged document. */
export function ndcgAtK(ranked: readonly string[], judgements: Judgements, k: number): number {
  const ideal = [...judgements.values()].map((g) => (g > 0 ? g : 0)).sort((a, b) => b - a);
  const idcg = dcg(ideal, k);
  if (idcg === 0) return 0;
  return (
    dcg(
      topK(ranked, k).map((id) => gain(judgements, id)),
      k,
    ) / idcg
  );
}

/** Recall@k: relevant documents in the first `k` over all relevant documents of the query. */
export function recallAtK(ranked: readonly string[], judgements: Judgements, k: number): number {
  const relevant = relevantCount(judgements);
  if (relevant === 0) return 0;
  const found = topK(ranked, k).filter((id) => (judgements.get(id) ?? 0) >= 1).length;
  return found / relevant;
}

/** Reciprocal rank of the first relevant document among the first `k`; 0 when there is none. */
export function reciprocalRankAtK(ranked: readonly string[], judgements: Judgements, k: number): number {
  const index = topK(ranked, k).findIndex((id) => (judgements.get(id) ?? 0) >= 1);
  return index < 0 ? 0 : 1 / (index + 1);
}

/**
 * Average precision cut at `k`, as trec_eval's map_cut: precision at each relevant document among
 * the first `k`, summed and divided by *all* relevant documents of the query (not min(k, R)), which
 * is why MAP@10 stays low on collections with dozens of relevant documents per query.
 */
export function averagePrecisionAtK(ranked: readonly string[], judgements: Judgements, k: number): number {
  const relevant = relevantCount(judgements);
  if (relevant === 0) return 0;
  let hits = 0;
  let sum = 0;
  topK(ranked, k).forEach((id, i) => {
    if ((judgements.get(id) ?? 0) >= 1) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return sum / relevant;
}

const SCORERS: Record<MetricKind, (ranked: readonly string[], judgements: Judgements, k: number) => number> =
  {
    nDCG: ndcgAtK,
    Recall: recallAtK,
    MRR: reciprocalRankAtK,
    MAP: averagePrecisionAtK,
  };

export function scoreQuery(ranked: readonly string[], judgements: Judgements, spec: MetricSpec): number {
  return SCORERS[spec.kind](ranked, judgements, spec.k);
}

export interface Evaluation {
  /** Queries averaged over: those with at least one relevant document. */
  queries: number;
  /** Queries among them the run has no ranking for (each scored 0). */
  missing: number;
  /** Metric label → mean over `queries`. */
  means: ReadonlyMap<string, number>;
  /** Query id → metric label → score. */
  perQuery: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/**
 * Scores a run and averages over the queries that have at least one relevant document. A query the
 * run has no ranking for counts as 0 (trec_eval's -c), so a search that failed cannot raise the
 * mean by dropping out of it; pytrec_eval would skip it.
 */
export function evaluateRun(
  run: Run,
  qrels: Qrels,
  specs: readonly MetricSpec[] = STANDARD_METRICS,
): Evaluation {
  const sums = new Map<string, number>(specs.map((s) => [metricLabel(s), 0]));
  const perQuery = new Map<string, Map<string, number>>();
  let missing = 0;
  for (const [queryId, judgements] of qrels) {
    if (relevantCount(judgements) === 0) continue;
    const ranked = run.get(queryId);
    if (!ranked) missing++;
    const scores = new Map<string, number>();
    for (const spec of specs) {
      const label = metricLabel(spec);
      const value = ranked ? scoreQuery(ranked, judgements, spec) : 0;
      scores.set(label, value);
      sums.set(label, sums.get(label)! + value);
    }
    perQuery.set(queryId, scores);
  }
  const queries = perQuery.size;
  const means = new Map<string, number>(
    [...sums].map(([label, sum]) => [label, queries > 0 ? sum / queries : 0]),
  );
  return { queries, missing, means, perQuery };
}

/**
 * Orders scored documents as trec_eval does: score descending, ties broken by document id in
 * *descending* string order. Ranking answers this way makes ties fall as they would in pytrec_eval.
 */
export function rankByScore(scored: Iterable<{ id: string; score: number }>): string[] {
  return [...scored]
    .sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((d) => d.id);
}
