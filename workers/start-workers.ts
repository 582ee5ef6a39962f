import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type ActivityPublisher } from '../activities/index.ts';
import { CACHE_DIR, type Config } from '../src/config/index.ts';
import { createEmbedder, loadTokenizer, resolveModelFiles, type Embedder } from '../src/embedding/index.ts';
import { prepareCollection, VectorStore } from '../src/qdrant/index.ts';
import { temporalWorkerTelemetry, temporalWorkflowInterceptorModules } from '../src/telemetry/temporal.ts';
import { onEmbedBatch } from './embed-telemetry.ts';
import { workflowBundlePath } from './workflow-bundle.ts';

export interface WorkerDeps {
  publisher: ActivityPublisher;
  /** Extra worker options for tests (e.g. a shorter shutdown grace time). */
  shutdownGraceTime?: string;
}

export interface RunningWorkers {
  embedder: Embedder;
  store: VectorStore;
  /** The workers' connection; a client over it can start workflows eagerly on these workers. */
  connection: NativeConnection;
  /** Resolves when both workers have stopped; rejects if one fails. */
  done: Promise<void>;
  /** Stops polling, lets running activities finish within the grace time, then closes the engine. */
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** Installs the Temporal runtime once per process (it may only be configured before first use). */
export function installTemporalRuntime(
  options?: Parameters<typeof Runtime.install>[0],
  logLevel = 'info',
): void {
  if (runtimeInstalled) return;
  // The SDK logs every worker state change at INFO; that is noise next to the service's own lines.
  const logger = new DefaultLogger(logLevel === 'debug' ? 'DEBUG' : 'WARN');
  Runtime.install({ logger, ...options, shutdownSignals: [] });
  runtimeInstalled = true;
}

/**
 * Starts one Temporal worker per task queue in this process, sharing one embedding engine: the
 * ingest queue (bulk embedding and upserts) and the search queue (queries, never behind bulk work).
 * More throughput comes from more such processes on the same task queues. The default collection is
 * made ready first (see prepareCollection), so the first ingest goes straight to embedding.
 */
export async function startWorkers(config: Config, deps: WorkerDeps): Promise<RunningWorkers> {
  installTemporalRuntime(undefined, config.logLevel);
  const modelFiles = resolveModelFiles(config);
  const embedder = await createEmbedder(config, { onBatch: onEmbedBatch });
  const tokenizer = loadTokenizer(modelFiles.tokenizerPath, { maxTokens: config.maxTokens });
  const store = new VectorStore(config, embedder.dimension);
  try {
    await prepareCollection(store, config.qdrantCollection);
  } catch (err) {
    await embedder.close();
    throw err;
  }
  const activities = createActivities({ config, embedder, tokenizer, store, publisher: deps.publisher });
  const telemetry = temporalWorkerTelemetry();

  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const bundles = path.join(CACHE_DIR, 'build');
  // One after the other: with tracing off both are the same bundle, built once and then found in the cache.
  const ingestBundle = await workflowBundlePath(bundles, temporalWorkflowInterceptorModules('spans'));
  const searchBundle = await workflowBundlePath(bundles, temporalWorkflowInterceptorModules('context-only'));
  const common = {
    connection,
    namespace: config.temporalNamespace,
    activities,
    interceptors: { ...telemetry.interceptors, workflowModules: [] },
    sinks: telemetry.sinks,
    shutdownGraceTime: deps.shutdownGraceTime ?? '30 seconds',
  };
  const ingest = await Worker.create({
    ...common,
    workflowBundle: { codePath: ingestBundle },
    taskQueue: config.taskQueueIngest,
    maxConcurrentActivityTaskExecutions: config.ingestConcurrency,
  });
  // Searches are short and many: their bundle carries the trace context to the activities without
  // making workflow spans, which would cost each search the tracing SDK's set-up in the sandbox.
  const search = await Worker.create({
    ...common,
    workflowBundle: { codePath: searchBundle },
    taskQueue: config.taskQueueSearch,
    maxConcurrentLocalActivityExecutions: 64,
    maxConcurrentWorkflowTaskExecutions: 64,
  });
  const done = Promise.all([ingest.run(), search.run()]).then(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    embedder,
    store,
    connection,
    done,
    stop() {
      stopping ??= (async () => {
        for (const w of [ingest, search]) if (w.getState() === 'RUNNING') w.shutdown();
        await done.catch(() => undefined);
        await embedder.close();
        await connection.close();
      })();
      return stopping;
    },
  };
}
