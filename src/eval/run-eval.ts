import type {
  DocumentInput,
  FailedDocument,
  IngestBatchResult,
  SearchAnswer,
  SearchInput,
} from '../../workflows/contracts.ts';
import {
  countRecords,
  readCorpus,
  readQrels,
  readQueries,
  type CorpusDocument,
  type DatasetFiles,
} from './beir-dataset.ts';
import { forEachBounded } from './bounded-concurrency.ts';
import { documentBatches, type BatchLimits } from './document-batches.ts';
import { evaluateRun, rankByScore, type Evaluation, type MetricSpec } from './ranking-metrics.ts';

/** Thrown by a backend's search when that one query failed; the run goes on and scores the query 0. */
export class QueryFailedError extends Error {
  override readonly name = 'QueryFailedError';
}

/** How documents reach the index and queries reach the search: the pipeline's workflows, or a fake in tests. */
export interface RetrievalBackend {
  /** Resolves once the batch is indexed and searchable. */
  ingest(documents: DocumentInput[]): Promise<IngestBatchResult>;
  /** Rejects with QueryFailedError when only this query failed; any other error ends the run. */
  search(input: SearchInput): Promise<SearchAnswer>;
}

/** Callbacks for progress bars; every one is optional. */
export interface EvalProgress {
  ingestStarted?(documents: number): void;
  ingested?(documents: number): void;
  ingestFinished?(): void;
  searchStarted?(queries: number): void;
  searched?(queries: number): void;
  searchFinished?(): void;
}

export interface EvalOptions {
  dataset: DatasetFiles;
  collection: string;
  /** Makes this run's query request ids unique. */
  runTag: string;
  /** Cut-off of the headline metrics: nDCG, Recall, MRR and MAP at k (Recall@100 is always reported). */
  k: number;
  batch: BatchLimits;
  ingestConcurrency: number;
  queryConcurrency: number;
  /** Search a collection an earlier run with the same corpus and settings filled. */
  skipIngest?: boolean;
  progress?: EvalProgress;
}

export interface EvalOutcome {
  metrics: MetricSpec[];
  evaluation: Evaluation;
  /** Query id → retrieved documents, best first (trec_eval order). */
  ranked: Map<string, { id: string; score: number }[]>;
  /** True when the corpus was not sent because an earlier run's collection was searched. */
  reusedIndex: boolean;
  documents: {
    sent: number;
    indexed: number;
    chunks: number;
    withoutText: string[];
    failed: FailedDocument[];
  };
  queries: { judged: number; failed: { id: string; reason: string }[]; tookMs: number[] };
  ingestSeconds: number;
  searchSeconds: number;
}

/** Candidates retrieved per query: enough for Recall@100, the most any search workflow answers. */
export const RETRIEVAL_DEPTH = 100;

/** The reported metrics for cut-off `k`: nDCG, Recall, MRR and MAP at k, and Recall@100. */
export function metricsFor(k: number): MetricSpec[] {
  const specs: MetricSpec[] = [
    { kind: 'nDCG', k },
    { kind: 'Recall', k },
    { kind: 'Recall', k: RETRIEVAL_DEPTH },
    { kind: 'MRR', k },
    { kind: 'MAP', k },
  ];
  return specs.filter((s, i) => specs.findIndex((o) => o.kind === s.kind && o.k === s.k) === i);
}

/**
 * What is sent for a corpus record. Title and text travel separately, as on the documents topic;
 * the pipeline embeds "title\nchunk". A record with a title and no text is indexed by its title.
 */
export function toDocumentInput(
  doc: CorpusDocument,
  collection: string,
  version: number,
): DocumentInput | undefined {
  const text = doc.text.trim() !== '' ? doc.text : doc.title;
  if (text.trim() === '') return undefined;
  return {
    id: doc.id,
    op: 'upsert',
    text,
    ...(text === doc.text && doc.title.trim() !== '' ? { title: doc.title } : {}),
    ...(doc.metadata ? { metadata: doc.metadata } : {}),
    collection,
    version,
  };
}

async function ingestCorpus(
  backend: RetrievalBackend,
  options: EvalOptions,
  outcome: EvalOutcome,
): Promise<void> {
  const { progress } = options;
  progress?.ingestStarted?.(await countRecords(options.dataset.corpus));
  const version = Date.now();
  const docs = outcome.documents;
  async function* inputs(): AsyncGenerator<DocumentInput> {
    for await (const record of readCorpus(options.dataset.corpus)) {
      const input = toDocumentInput(record, options.collection, version);
      if (input) yield input;
      else {
        docs.withoutText.push(record.id);
        progress?.ingested?.(1);
      }
    }
  }
  await forEachBounded(documentBatches(inputs(), options.batch), options.ingestConcurrency, async (batch) => {
    docs.sent += batch.length;
    const result = await backend.ingest(batch);
    docs.indexed += result.upserted;
    docs.chunks += result.chunks;
    docs.failed.push(...result.failed);
    progress?.ingested?.(batch.length);
  });
  progress?.ingestFinished?.();
}

async function searchQueries(
  backend: RetrievalBackend,
  options: EvalOptions,
  judgedIds: ReadonlySet<string>,
  outcome: EvalOutcome,
) {
  const { progress } = options;
  const queries = (await readQueries(options.dataset.queries)).filter((q) => judgedIds.has(q.id));
  progress?.searchStarted?.(queries.length);
  await forEachBounded(queries, options.queryConcurrency, async (query) => {
    try {
      const answer = await backend.search({
        requestId: `eval-${options.runTag}-${query.id}`,
        text: query.text,
        topK: RETRIEVAL_DEPTH,
        collection: options.collection,
        receivedAt: Date.now(),
      });
      const ranked = rankByScore(answer.hits.map((h) => ({ id: h.id, score: h.score })));
      const scoreOf = new Map(answer.hits.map((h) => [h.id, h.score]));
      outcome.ranked.set(
        query.id,
        ranked.map((id) => ({ id, score: scoreOf.get(id)! })),
      );
      outcome.queries.tookMs.push(answer.tookMs);
    } catch (err) {
      if (!(err instanceof QueryFailedError)) throw err;
      outcome.queries.failed.push({ id: query.id, reason: err.message });
    } finally {
      progress?.searched?.(1);
    }
  });
  progress?.searchFinished?.();
}

/**
 * Evaluates retrieval on a dataset: indexes the corpus into `collection` through the backend, asks
 * every judged query for its best RETRIEVAL_DEPTH documents, and scores the rankings against the
 * qrels.
 */
export async function runEval(backend: RetrievalBackend, options: EvalOptions): Promise<EvalOutcome> {
  const qrels = await readQrels(options.dataset.qrels);
  const judgedIds = new Set(
    [...qrels].filter(([, j]) => [...j.values()].some((g) => g >= 1)).map(([id]) => id),
  );
  const outcome: EvalOutcome = {
    metrics: metricsFor(options.k),
    evaluation: evaluateRun(new Map(), new Map()),
    ranked: new Map(),
    reusedIndex: options.skipIngest ?? false,
    documents: { sent: 0, indexed: 0, chunks: 0, withoutText: [], failed: [] },
    queries: { judged: judgedIds.size, failed: [], tookMs: [] },
    ingestSeconds: 0,
    searchSeconds: 0,
  };
  let started = performance.now();
  if (!options.skipIngest) await ingestCorpus(backend, options, outcome);
  outcome.ingestSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await searchQueries(backend, options, judgedIds, outcome);
  outcome.searchSeconds = (performance.now() - started) / 1000;
  const run = new Map([...outcome.ranked].map(([id, hits]) => [id, hits.map((h) => h.id)]));
  outcome.evaluation = evaluateRun(run, qrels, outcome.metrics);
  return outcome;
}
