import os from 'node:os';
import type { Config } from '../config/index.ts';
import type { BatchPolicy } from './batch-packing.ts';
import { BatchScheduler, type BatchInfo, type RunBatch } from './batch-scheduler.ts';
import { AdaptiveBudget, FixedBudget, type BudgetController } from './budget-controller.ts';
import type { Embedder, EmbeddingTokenizer } from './embedder.ts';
import { EngineEmbedder } from './engine-embedder.ts';
import type { InferenceBackend } from './inference-backend.ts';
import type { InferenceWorkerData } from './inference-protocol.ts';
import { resolveModelFiles, type ModelFiles } from './model-files.ts';
import { SharedSession } from './shared-session.ts';
import { loadTokenizer } from './tokenizer.ts';
import { WorkerInference } from './worker-inference.ts';

export interface EmbedderOptions {
  /** Called after every batch run, for a span and metrics per batch. */
  onBatch?: (info: BatchInfo) => void;
  /** How bulk texts are cut into batches; token-budget unless a baseline is being measured. */
  policy?: BatchPolicy;
  /** A fixed bulk budget instead of the adaptive controller. */
  fixedBudget?: number;
  /** Overrides of the model files (default: the configured model in the cache). */
  files?: ModelFiles;
  /** Overrides EMBED_DEDUP_CACHE_SIZE (0 switches dedup off, e.g. to measure repeated runs). */
  dedupCacheSize?: number;
  /** Overrides EMBED_BULK_SESSIONS. */
  bulkSessions?: number;
  /** Overrides EMBED_QUERY_LANE. */
  queryLane?: Config['queryLane'];
  /** Replaces the tokenizer loaded from the model files (tests). */
  tokenizer?: EmbeddingTokenizer;
  /** Replaces the worker-thread ONNX sessions (tests). */
  startInference?: (spec: InferenceWorkerData & { name: string }) => Promise<InferenceBackend>;
}

/** Largest query batch: queries that arrive together are embedded together, but a query batch stays short. */
const QUERY_BUDGET = 2048;

/**
 * The intra-op threads of each bulk session: EMBED_BULK_SESSIONS (or `sessions`) of them, at most one
 * per thread of EMBED_THREADS, which are shared out as evenly as they go.
 */
export function bulkSessionThreads(config: Config, sessions = config.bulkSessions): number[] {
  const threads = config.embedThreads > 0 ? config.embedThreads : os.availableParallelism();
  const n = Math.min(sessions, threads);
  return Array.from({ length: n }, (_, k) => Math.floor(threads / n) + (k < threads % n ? 1 : 0));
}

/** Loads the tokenizer and starts the inference worker(s); resolves once the model is loaded. */
export async function createEmbedder(config: Config, opts: EmbedderOptions = {}): Promise<Embedder> {
  const files = opts.files ?? resolveModelFiles(config);
  const tokenizer = opts.tokenizer ?? loadTokenizer(files.tokenizerPath, { maxTokens: config.maxTokens });
  const start =
    opts.startInference ?? ((spec: InferenceWorkerData & { name: string }) => WorkerInference.start(spec));
  const bulkThreads = bulkSessionThreads(config, opts.bulkSessions);
  const sessions = bulkThreads.length;
  const dedicated = (opts.queryLane ?? config.queryLane) === 'dedicated';
  const started = await Promise.allSettled([
    ...bulkThreads.map((intraOpThreads, k) =>
      start({
        name: k === 0 ? 'embed-bulk' : `embed-bulk-${k + 1}`,
        modelPath: files.modelPath,
        intraOpThreads,
        allowSpinning: config.bulkSpinning,
        niceness: config.bulkNiceness,
      }),
    ),
    // The query session has a single thread and so no pool to spin.
    ...(dedicated
      ? [start({ name: 'embed-query', modelPath: files.modelPath, intraOpThreads: 1, allowSpinning: false })]
      : []),
  ]);
  const backends = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(backends.map((b) => b.close()));
    throw failed.reason;
  }
  const bulk = backends[0]!;
  const bulkRuns: RunBatch[] = backends.slice(0, sessions).map((b) => (batch) => b.run(batch));
  const query = dedicated ? backends[sessions] : undefined;
  let runQuery: RunBatch;
  if (query) runQuery = (b) => query.run(b);
  else {
    // The first bulk session also answers queries, first between its batches.
    const shared = new SharedSession(bulk);
    bulkRuns[0] = shared.bulk;
    runQuery = shared.query;
  }
  const controller: BudgetController =
    opts.fixedBudget !== undefined
      ? new FixedBudget(opts.fixedBudget)
      : new AdaptiveBudget({
          min: config.tokenBudgetMin,
          max: config.tokenBudgetMax,
          initial: config.tokenBudgetStart,
          maxBatchMs: config.maxBatchMs,
        });
  return new EngineEmbedder({
    tokenizer,
    backends,
    dimension: bulk.dimension,
    bulk: new BatchScheduler({
      lane: 'bulk',
      run: bulkRuns,
      dimension: bulk.dimension,
      policy: opts.policy ?? { kind: 'token-budget' },
      controller,
      onBatch: opts.onBatch,
    }),
    query: new BatchScheduler({
      lane: 'query',
      run: runQuery,
      dimension: bulk.dimension,
      policy: { kind: 'token-budget' },
      controller: new FixedBudget(QUERY_BUDGET),
      onBatch: opts.onBatch,
    }),
    controller,
    dedupCacheSize: opts.dedupCacheSize ?? config.dedupCacheSize,
    queryCacheSize: config.queryCacheSize,
  });
}
