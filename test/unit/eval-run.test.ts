import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetFiles } from '../../src/eval/beir-dataset.ts';
import {
  metricsFor,
  QueryFailedError,
  runEval,
  type EvalOptions,
  type RetrievalBackend,
} from '../../src/eval/run-eval.ts';
import { renderEvalReport, renderMetricsTable } from '../../src/eval/render-eval-report.ts';
import { REFERENCE_SCORES } from '../../src/eval/reference-scores.ts';
import type { DocumentInput, SearchAnswer, SearchInput } from '../../workflows/contracts.ts';

function writeDataset(corpus: object[], queries: object[], qrels: string): DatasetFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'embedstream-eval-run-'));
  const files: DatasetFiles = {
    name: 'tiny',
    layout: 'beir',
    corpus: path.join(dir, 'corpus.jsonl'),
    queries: path.join(dir, 'queries.jsonl'),
    qrels: path.join(dir, 'test.tsv'),
  };
  writeFileSync(files.corpus, corpus.map((d) => JSON.stringify(d)).join('\n') + '\n');
  writeFileSync(files.queries, queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  writeFileSync(files.qrels, qrels);
  return files;
}

/**
 * An index that remembers what it was sent and answers each query with the documents sharing most
 * words with it, ties by id — enough ranking to check that the run scores what comes back.
 */
class WordOverlapBackend implements RetrievalBackend {
  readonly batches: DocumentInput[][] = [];
  readonly searches: SearchInput[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failQuery?: { text: string; error: Error };

  async ingest(documents: DocumentInput[]) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    this.inFlight--;
    this.batches.push(documents);
    return { upserted: documents.length, deleted: 0, chunks: documents.length, failed: [] };
  }

  search(input: SearchInput): Promise<SearchAnswer> {
    this.searches.push(input);
    if (this.failQuery?.text === input.text) return Promise.reject(this.failQuery.error);
    const words = new Set(input.text.toLowerCase().split(/\W+/));
    const hits = this.batches
      .flat()
      .map((d) => ({
        id: d.id,
        score: (d.text ?? '')
          .toLowerCase()
          .split(/\W+/)
          .filter((w) => words.has(w)).length,
      }))
      .filter((h) => h.score > 0)
      .slice(0, input.topK);
    return Promise.resolve({ requestId: input.requestId, hits, tookMs: 3 });
  }
}

const corpus = [
  { _id: 'd1', title: 'Volcanoes', text: 'shield volcano basalt lava' },
  { _id: 'd2', title: 'Bread', text: 'sourdough starter flour water' },
  { _id: 'd3', title: 'Chess', text: 'sicilian defence opening' },
  { _id: 'd4', title: 'Only a title', text: '' },
  { _id: 'd5', title: '', text: '   ' },
];
const queries = [
  { _id: 'q1', text: 'basalt lava' },
  { _id: 'q2', text: 'sourdough flour' },
  { _id: 'q3', text: 'unjudged query' },
  { _id: 'q4', text: 'knight opening sicilian' },
];
const qrels =
  'query-id\tcorpus-id\tscore\r\nq1\td1\t2\r\nq2\td2\t2\r\nq2\td4\t1\r\nq4\td3\t1\r\nq4\td1\t0\r\n';

function options(dataset: DatasetFiles, overrides: Partial<EvalOptions> = {}): EvalOptions {
  return {
    dataset,
    collection: 'eval-tiny-0000',
    runTag: 'run1',
    k: 10,
    batch: { maxDocs: 2, maxBytes: 1_000_000 },
    ingestConcurrency: 2,
    queryConcurrency: 3,
    ...overrides,
  };
}

describe('runEval', () => {
  it('when the corpus is ingested, then every document with text goes out once, in bounded batches, as an upsert to the collection', async () => {
    const backend = new WordOverlapBackend();
    const outcome = await runEval(backend, options(writeDataset(corpus, queries, qrels)));
    const sent = backend.batches.flat();
    expect(sent.map((d) => d.id).sort()).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(backend.batches.every((b) => b.length <= 2)).toBe(true);
    expect(backend.maxInFlight).toBeLessThanOrEqual(2);
    expect(new Set(sent.map((d) => d.version)).size).toBe(1);
    expect(sent.every((d) => d.op === 'upsert' && d.collection === 'eval-tiny-0000')).toBe(true);
    expect(sent.find((d) => d.id === 'd1')).toMatchObject({
      title: 'Volcanoes',
      text: 'shield volcano basalt lava',
    });
    expect(sent.find((d) => d.id === 'd4')).toEqual(expect.objectContaining({ text: 'Only a title' }));
    expect(sent.find((d) => d.id === 'd4')).not.toHaveProperty('title');
    expect(outcome.documents).toMatchObject({ sent: 4, indexed: 4, withoutText: ['d5'] });
  });

  it('when queries are asked, then only judged ones are, for 100 candidates each, with run-unique request ids', async () => {
    const backend = new WordOverlapBackend();
    await runEval(backend, options(writeDataset(corpus, queries, qrels)));
    expect(backend.searches.map((s) => s.text).sort()).toEqual([
      'basalt lava',
      'knight opening sicilian',
      'sourdough flour',
    ]);
    expect(backend.searches.every((s) => s.topK === 100 && s.collection === 'eval-tiny-0000')).toBe(true);
    expect(backend.searches.map((s) => s.requestId).sort()).toEqual([
      'eval-run1-q1',
      'eval-run1-q2',
      'eval-run1-q4',
    ]);
  });

  it('when the answers rank the judged documents first, then the metrics say so', async () => {
    const outcome = await runEval(new WordOverlapBackend(), options(writeDataset(corpus, queries, qrels)));
    // q1 and q4 find their only relevant document first; q2 finds d2 (grade 2) but never d4 (grade 1).
    const idealQ2 = 2 + 1 / Math.log2(3);
    expect(outcome.evaluation.queries).toBe(3);
    expect(outcome.evaluation.means.get('MRR@10')).toBeCloseTo(1, 12);
    expect(outcome.evaluation.means.get('Recall@10')).toBeCloseTo((1 + 0.5 + 1) / 3, 12);
    expect(outcome.evaluation.means.get('nDCG@10')).toBeCloseTo((1 + 2 / idealQ2 + 1) / 3, 12);
    expect(outcome.ranked.get('q4')?.[0]).toEqual({ id: 'd3', score: 2 });
  });

  it('when one query fails on its own, then it is recorded and scored 0 while the others count', async () => {
    const backend = new WordOverlapBackend();
    backend.failQuery = { text: 'sourdough flour', error: new QueryFailedError('search timed out') };
    const outcome = await runEval(backend, options(writeDataset(corpus, queries, qrels)));
    expect(outcome.queries.failed).toEqual([{ id: 'q2', reason: 'search timed out' }]);
    expect(outcome.evaluation.missing).toBe(1);
    expect(outcome.evaluation.means.get('MRR@10')).toBeCloseTo(2 / 3, 12);
  });

  it('when the backend fails for a reason other than the query, then the run fails with that error', async () => {
    const backend = new WordOverlapBackend();
    backend.failQuery = { text: 'basalt lava', error: new Error('no worker') };
    await expect(runEval(backend, options(writeDataset(corpus, queries, qrels)))).rejects.toThrow(
      'no worker',
    );
  });

  it('when the index is reused, then nothing is ingested', async () => {
    const backend = new WordOverlapBackend();
    const outcome = await runEval(
      backend,
      options(writeDataset(corpus, queries, qrels), { skipIngest: true }),
    );
    expect(outcome.reusedIndex).toBe(true);
    expect(backend.batches).toHaveLength(0);
    expect(backend.searches).toHaveLength(3);
  });

  it('when progress is followed, then the totals and ticks add up', async () => {
    const seen = { ingestTotal: 0, ingested: 0, searchTotal: 0, searched: 0, finished: 0 };
    await runEval(
      new WordOverlapBackend(),
      options(writeDataset(corpus, queries, qrels), {
        progress: {
          ingestStarted: (n) => (seen.ingestTotal = n),
          ingested: (n) => (seen.ingested += n),
          ingestFinished: () => seen.finished++,
          searchStarted: (n) => (seen.searchTotal = n),
          searched: (n) => (seen.searched += n),
          searchFinished: () => seen.finished++,
        },
      }),
    );
    expect(seen).toEqual({ ingestTotal: 5, ingested: 5, searchTotal: 3, searched: 3, finished: 2 });
  });
});

describe('metricsFor', () => {
  it('when k is 10, then the five BEIR figures are reported', () => {
    expect(metricsFor(10).map((m) => `${m.kind}@${m.k}`)).toEqual([
      'nDCG@10',
      'Recall@10',
      'Recall@100',
      'MRR@10',
      'MAP@10',
    ]);
  });

  it('when k is 100, then Recall@100 is reported once', () => {
    expect(metricsFor(100).map((m) => `${m.kind}@${m.k}`)).toEqual([
      'nDCG@100',
      'Recall@100',
      'MRR@100',
      'MAP@100',
    ]);
  });
});

describe('the report', () => {
  it('when a reference exists, then each metric shows it and the signed difference', async () => {
    const outcome = await runEval(new WordOverlapBackend(), options(writeDataset(corpus, queries, qrels)));
    const table = renderMetricsTable(outcome, REFERENCE_SCORES.nfcorpus);
    const ndcg = outcome.evaluation.means.get('nDCG@10')!;
    expect(table.split('\n')[0]).toMatch(/^metric\s+embedstream\s+reference\s+difference$/);
    expect(table).toContain(`nDCG@10      ${ndcg.toFixed(5)}`);
    expect(table).toMatch(new RegExp(`0\\.31594\\s+\\+${(ndcg - 0.31594).toFixed(5).replace('.', '\\.')}`));
  });

  it('when there is no reference, then only the scores are shown, and failures are spelled out', async () => {
    const backend = new WordOverlapBackend();
    backend.failQuery = { text: 'sourdough flour', error: new QueryFailedError('collection gone') };
    const dataset = writeDataset(corpus, queries, qrels);
    const outcome = await runEval(backend, options(dataset));
    const report = renderEvalReport(outcome, { dataset, split: 'test', collection: 'eval-tiny-0000' });
    expect(report).not.toContain('reference');
    expect(report).toContain('1 queries failed and count as 0, e.g. q2: collection gone');
    expect(report).toContain('1 corpus records had neither text nor title');
  });
});
