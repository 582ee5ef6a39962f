import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { connectTemporal, TemporalUnavailableError } from '../../temporal/client.ts';
import { DatasetFormatError, DatasetNotFoundError, locateDataset } from '../../eval/beir-dataset.ts';
import { evalCollectionName } from '../../eval/collection-name.ts';
import { REFERENCE_SCORES } from '../../eval/reference-scores.ts';
import { evalReportJson, renderEvalReport } from '../../eval/render-eval-report.ts';
import { RETRIEVAL_DEPTH, runEval, type EvalProgress } from '../../eval/run-eval.ts';
import { NoWorkerError, TemporalBackend } from '../../eval/temporal-backend.ts';
import { UsageError, type Command } from '../command.ts';
import { ProgressBar } from '../progress.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const NFCORPUS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'datasets', 'nfcorpus');
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/** Ingest workflows in flight: enough to keep the embedder fed while one batch is being upserted. */
const INGEST_CONCURRENCY = 3;
/** Queries in flight: overlaps round trips without queueing far behind the search worker. */
const QUERY_CONCURRENCY = 8;

const USAGE = `Usage: embedstream eval [--dataset DIR] [--split test] [--top-k 10] [--out FILE] [--reuse-index]

Measures retrieval quality end to end: indexes a BEIR-layout dataset (corpus.jsonl, queries.jsonl,
qrels/<split>.tsv) into a collection of its own through the ingest workflow, asks every judged
query for its best ${RETRIEVAL_DEPTH} documents through the search workflow, and prints nDCG@k,
Recall@k, Recall@${RETRIEVAL_DEPTH}, MRR@k and MAP@k (trec_eval's definitions, graded gains). On
NFCorpus the published figures of all-MiniLM-L6-v2 are printed beside them.
Needs workers running ("embedstream run --role worker"); Kafka is not involved.

  --dataset DIR   BEIR dataset directory, or one holding sample-*.jsonl and sample-qrels.tsv
                  (default: ../shared/datasets/nfcorpus beside the repository if present, else examples/)
  --split NAME    qrels split: qrels/NAME.tsv (default test)
  --top-k K       cut-off k of the metrics, 1 to ${RETRIEVAL_DEPTH} (default 10)
  --out FILE      also write the report as JSON, with every query's scores and ranking
  --reuse-index   skip indexing and search the collection an earlier run with the same corpus
                  and index settings filled (the name hashes both)`;

function defaultDataset(): string {
  return existsSync(path.join(NFCORPUS_DIR, 'corpus.jsonl')) ? NFCORPUS_DIR : EXAMPLES_DIR;
}

function progressBars(): EvalProgress {
  let ingest: ProgressBar | undefined;
  let search: ProgressBar | undefined;
  return {
    ingestStarted: (n) => (ingest = new ProgressBar('ingest', n)),
    ingested: (n) => ingest?.tick(n),
    ingestFinished: () => void ingest?.done('documents'),
    searchStarted: (n) => (search = new ProgressBar('search', n)),
    searched: (n) => search?.tick(n),
    searchFinished: () => void search?.done('queries'),
  };
}

export const evalCommand: Command = {
  path: ['eval'],
  summary: 'Measure retrieval quality (nDCG@10, Recall, MRR, MAP) on a BEIR dataset through the workflows',
  usage: USAGE,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          dataset: { type: 'string' },
          split: { type: 'string', default: 'test' },
          'top-k': { type: 'string', default: '10' },
          out: { type: 'string' },
          'reuse-index': { type: 'boolean', default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const k = Number(values['top-k']);
    if (!Number.isInteger(k) || k < 1 || k > RETRIEVAL_DEPTH)
      throw new UsageError(`--top-k must be an integer from 1 to ${RETRIEVAL_DEPTH}.`);
    if (!/^[\w.-]+$/.test(values.split))
      throw new UsageError('--split must be a plain name such as test or dev.');

    const config = loadConfig();
    let dataset;
    try {
      dataset = locateDataset(values.dataset ?? defaultDataset(), values.split);
    } catch (err) {
      if (err instanceof DatasetNotFoundError) throw new UsageError(err.message);
      throw err;
    }
    const collection = await evalCollectionName(dataset.name, dataset.corpus, config);
    const reference = REFERENCE_SCORES[dataset.name];
    console.error(
      `Evaluating ${dataset.name} (${path.dirname(dataset.corpus)}) ${values['reuse-index'] ? 'searching' : 'into'} collection ${collection}`,
    );

    let client;
    try {
      client = await connectTemporal(config);
    } catch (err) {
      if (err instanceof TemporalUnavailableError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
    try {
      const runTag = `${dataset.name}-${randomBytes(3).toString('hex')}`;
      const outcome = await runEval(new TemporalBackend(client, config, runTag), {
        dataset,
        collection,
        runTag,
        k,
        batch: { maxDocs: config.ingestBatchDocs, maxBytes: config.ingestBatchBytes },
        ingestConcurrency: INGEST_CONCURRENCY,
        queryConcurrency: QUERY_CONCURRENCY,
        skipIngest: values['reuse-index'],
        progress: progressBars(),
      });
      const context = { dataset, split: values.split, collection, ...(reference ? { reference } : {}) };
      console.log(renderEvalReport(outcome, context));
      if (values.out) {
        await writeFile(values.out, `${JSON.stringify(evalReportJson(outcome, context), null, 2)}\n`);
        console.error(`Report written to ${values.out}`);
      }
      return outcome.documents.failed.length + outcome.queries.failed.length > 0 ? 1 : 0;
    } catch (err) {
      if (err instanceof NoWorkerError || err instanceof DatasetFormatError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    } finally {
      await client.connection.close();
    }
  },
};
