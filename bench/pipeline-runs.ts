import type { Kafka } from 'kafkajs';
import type { Config } from '../src/config/index.ts';
import { createEmbedder, type TextTokenizer } from '../src/embedding/index.ts';
import { MessageProducer } from '../src/kafka/index.ts';
import type { ProcessSampler } from './lib/process-sampler.ts';
import { TimedAnswers } from './pipeline-answers.ts';
import { chunkTexts, type BenchCorpus, type BenchDocument } from './pipeline-corpus.ts';
import { timeQueries, type QueryTiming } from './pipeline-queries.ts';
import { phaseMetrics, snapshotMetrics, type PhaseMetrics } from './pipeline-metrics.ts';
import {
  publishDocuments,
  startPipeline,
  waitForPoints,
  type PipelineUnderTest,
} from './pipeline-services.ts';
import type { TraceWindow } from './pipeline-traces.ts';

/** Longest an ingest may take before the repetition fails: far beyond any healthy run, even on a crowded machine. */
const INGEST_TIMEOUT_MS = 3_600_000;
/** Wait between publishing the first load batch and the first loaded query: the consumer's first hand-offs. */
const LOAD_RAMP_MS = 1500;
/** The next load batch is published once all but this share of the last one's chunks are indexed. */
const NEXT_BATCH_AT = 0.25;
const FEED_POLL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stretch of the run on the sampler's clock (seconds), for memory and CPU figures per phase. */
export interface Span {
  from: number;
  to: number;
}

export interface EngineRun extends Span {
  seconds: number;
  documents: number;
  chunks: number;
  failed: number;
  docsPerSec: number;
}

/** What one repetition timed. */
export interface RepetitionRuns {
  /** The engine alone right before and right after the pipeline's ingest. */
  engines: EngineRun[];
  /** The engine alone with spinning threads, when the pipeline runs without. */
  spinningEngine?: EngineRun;
  pipeline: PipelineRun;
}

export interface QueryPhase extends Span {
  timings: QueryTiming[];
  metrics: PhaseMetrics;
  /** The phase on the wall clock and the repetition's topics, to find its traces in Jaeger. */
  traces: TraceWindow;
}

/** The ingest that ran under the loaded queries (it is cut off when they end). */
export interface LoadFigures {
  batchesPublished: number;
  /** Chunks indexed from the first load publish to the end of the loaded queries. */
  chunksIndexed: number;
  chunksPerSec: number;
  /**
   * Chunks the worker embedded while the loaded queries ran, per second of that phase. A document
   * is written a few seconds after its last chunk is embedded (see ChunkWriter), so indexed points
   * trail this a little.
   */
  chunksEmbeddedPerSec?: number;
}

export interface PipelineRun extends Span {
  /** Publish of all documents acknowledged, seconds after the start. */
  publishSeconds: number;
  /** The first point was seen in Qdrant, seconds after the start. */
  firstPointSeconds: number;
  seconds: number;
  documents: number;
  chunks: number;
  docsPerSec: number;
  deadLetters: number;
  /** The end of what the worker and consumer printed (warnings and errors: they run at LOG_LEVEL=warn). */
  logs?: { worker: string; consumer: string };
  idle: QueryPhase;
  loaded: QueryPhase & LoadFigures;
}

export interface RunContext {
  config: Config;
  kafka: Kafka;
  sampler: ProcessSampler;
  tokenizer: TextTokenizer;
  corpus: BenchCorpus;
  expectedChunks: number;
  /** Expected chunks of each load batch. */
  loadChunks: number[];
  loadMaxSeconds: number;
  warmupQueries: number;
  queries: number;
  log(msg: string): void;
}

/**
 * The engine alone: the work of the ingest activities without Kafka, Temporal or Qdrant. A fresh
 * embedder (its content-hash cache empty, as in a fresh worker) chunks the documents and embeds
 * every chunk text; model load is outside the timing, as the worker's is.
 */
export async function runEngineAlone(ctx: RunContext, docs: readonly BenchDocument[]): Promise<EngineRun> {
  const embedder = await createEmbedder(ctx.config);
  try {
    const from = ctx.sampler.now();
    const started = performance.now();
    const texts = await chunkTexts(ctx.tokenizer, docs, ctx.config);
    const outcomes = await embedder.embedDocumentsSettled(texts);
    const seconds = (performance.now() - started) / 1000;
    return {
      from,
      to: ctx.sampler.now(),
      seconds,
      documents: docs.length,
      chunks: texts.length,
      failed: outcomes.filter((o) => !o.ok).length,
      docsPerSec: docs.length / seconds,
    };
  } finally {
    await embedder.close();
  }
}

async function deadLetterCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** What the phases of one repetition share. */
interface Repetition {
  ctx: RunContext;
  rep: number;
  pipeline: PipelineUnderTest;
  producer: MessageProducer;
  queryProducer: MessageProducer;
  answers: TimedAnswers;
}

/** Times the corpus from its first publish to the moment Qdrant holds every expected chunk. */
async function ingestPhase(
  r: Pick<Repetition, 'ctx' | 'rep' | 'pipeline' | 'producer'>,
): Promise<Omit<PipelineRun, 'deadLetters' | 'idle' | 'loaded'>> {
  const { ctx, pipeline } = r;
  const docs = ctx.corpus.documents;
  ctx.log(`rep ${r.rep}: pipeline ingest of ${docs.length} documents (${ctx.expectedChunks} chunks)`);
  const from = ctx.sampler.now();
  const started = performance.now();
  await publishDocuments(r.producer, pipeline.config.topicDocuments, docs);
  const publishSeconds = (performance.now() - started) / 1000;
  let firstPointSeconds = Number.NaN;
  const done = await waitForPoints(pipeline, ctx.expectedChunks, {
    timeoutMs: INGEST_TIMEOUT_MS,
    onProgress: (points) => {
      if (points > 0 && Number.isNaN(firstPointSeconds))
        firstPointSeconds = (performance.now() - started) / 1000;
    },
  });
  const seconds = (done - started) / 1000;
  ctx.log(`rep ${r.rep}: pipeline ${(docs.length / seconds).toFixed(2)} docs/s (${seconds.toFixed(1)} s)`);
  return {
    from,
    to: ctx.sampler.now(),
    publishSeconds,
    firstPointSeconds,
    seconds,
    documents: docs.length,
    chunks: ctx.expectedChunks,
    docsPerSec: docs.length / seconds,
  };
}

/** Sequential queries of one phase, with the processes' metrics and the trace window around them. */
async function queryPhase(
  r: Repetition,
  name: string,
  texts: readonly string[],
  keepGoing?: () => boolean,
): Promise<QueryPhase> {
  const { config } = r.pipeline;
  const from = r.ctx.sampler.now();
  const startMs = Date.now();
  const before = await snapshotMetrics(r.pipeline);
  const timings = await timeQueries({
    producer: r.queryProducer,
    answers: r.answers,
    topic: config.topicQueries,
    // Search workflow ids are request ids and are never reused (a repeated id is not answered
    // again), so every run's ids are its own: the collection's name is unique.
    prefix: `${config.qdrantCollection}-r${r.rep}-${name}`,
    texts,
    ...(keepGoing ? { keepGoing } : {}),
  });
  const to = r.ctx.sampler.now();
  const traces: TraceWindow = {
    startMs,
    endMs: Date.now(),
    topicQueries: config.topicQueries,
    topicQueryResults: config.topicQueryResults,
  };
  return { from, to, timings, metrics: phaseMetrics(before, await snapshotMetrics(r.pipeline)), traces };
}

/**
 * Queries while the worker ingests: load batches are published one after another (the next once
 * most of the last one is indexed, so the worker never runs dry) until the phase has timed its
 * queries or reached BENCH_LOAD_MAX_SECONDS. The ingest still running then is cut off with the processes.
 */
async function loadedPhase(r: Repetition, texts: readonly string[]): Promise<PipelineRun['loaded']> {
  const { ctx, pipeline } = r;
  const base = await pipeline.pointCount();
  const started = performance.now();
  const deadline = started + ctx.loadMaxSeconds * 1000;
  let published = 0;
  let target = base;
  let querying = true;
  let ranDry = false;
  const publishNext = async (): Promise<boolean> => {
    const docs = ctx.corpus.load[published];
    if (!docs) return false;
    await publishDocuments(r.producer, pipeline.config.topicDocuments, docs);
    target += ctx.loadChunks[published]!;
    published += 1;
    return true;
  };
  await publishNext();
  const feeder = (async () => {
    while (querying) {
      const points = await pipeline.pointCount();
      const last = ctx.loadChunks[published - 1]!;
      if (points >= target - NEXT_BATCH_AT * last && !(await publishNext()) && points >= target)
        ranDry = true;
      await sleep(FEED_POLL_MS);
    }
  })();
  // Awaited below; marked handled now so a failure while the queries run is not an unhandled rejection.
  feeder.catch(() => undefined);
  // Let the consumer hand the first sub-batches to the worker, so timing starts with the machine busy.
  await sleep(LOAD_RAMP_MS);
  const phase = await queryPhase(r, 'loaded', texts, () => performance.now() < deadline && !ranDry);
  querying = false;
  await feeder;
  const seconds = (performance.now() - started) / 1000;
  const chunksIndexed = (await pipeline.pointCount()) - base;
  ctx.log(
    `rep ${r.rep}: ${phase.timings.length} queries under load; ${chunksIndexed} chunks indexed meanwhile (${published} batch(es) published)`,
  );
  const embedded = phase.metrics.bulkChunksEmbedded;
  return {
    ...phase,
    batchesPublished: published,
    chunksIndexed,
    chunksPerSec: chunksIndexed / seconds,
    ...(embedded !== undefined ? { chunksEmbeddedPerSec: embedded / (phase.to - phase.from) } : {}),
  };
}

/**
 * One untimed ingest of `docs` through a throwaway pipeline, before the first repetition. A stack
 * that has just started spends cores on warming up (Kafka's and Temporal's JIT compilers, their
 * caches) that a running deployment spent long ago; timed, that would be charged to the pipeline.
 * Resolves with the warm-up's seconds.
 */
export async function warmUpStack(ctx: RunContext, docs: readonly BenchDocument[]): Promise<number> {
  const chunks = (await chunkTexts(ctx.tokenizer, docs, ctx.config)).length;
  const pipeline = await startPipeline(ctx.config, ctx.kafka, ctx.sampler);
  const producer = new MessageProducer(ctx.kafka);
  try {
    const started = performance.now();
    await publishDocuments(producer, pipeline.config.topicDocuments, docs);
    await waitForPoints(pipeline, chunks, { timeoutMs: INGEST_TIMEOUT_MS });
    return (performance.now() - started) / 1000;
  } finally {
    await producer.disconnect();
    await pipeline.stop();
  }
}

/**
 * One repetition through the real pipeline on fresh processes: ingest the corpus, then sequential
 * queries on the idle pipeline, then sequential queries while the load batch is ingested.
 */
export async function runPipeline(
  ctx: RunContext,
  rep: number,
  afterIngest?: () => Promise<void>,
): Promise<PipelineRun> {
  const pipeline = await startPipeline(ctx.config, ctx.kafka, ctx.sampler);
  const producer = new MessageProducer(ctx.kafka);
  const queryProducer = new MessageProducer(ctx.kafka);
  let answers: TimedAnswers | undefined;
  let result: PipelineRun | undefined;
  try {
    await Promise.all([producer.connect(), queryProducer.connect()]);
    const ingest = await ingestPhase({ ctx, rep, pipeline, producer });
    await afterIngest?.();
    // The answers' listener polls the broker several times a second: it joins only for the queries,
    // so it takes nothing from the timed ingest.
    answers = await TimedAnswers.start(ctx.kafka, pipeline.config.topicQueryResults);
    const r: Repetition = { ctx, rep, pipeline, producer, queryProducer, answers };
    const pool = ctx.corpus.queries;
    await queryPhase(r, 'warmup', pool.slice(0, ctx.warmupQueries));
    const idle = await queryPhase(r, 'idle', pool.slice(ctx.warmupQueries, ctx.warmupQueries + ctx.queries));
    ctx.log(`rep ${rep}: ${idle.timings.length} idle queries`);
    const loaded = await loadedPhase(
      r,
      pool.slice(ctx.warmupQueries + ctx.queries, ctx.warmupQueries + 2 * ctx.queries),
    );
    result = {
      ...ingest,
      deadLetters: await deadLetterCount(ctx.kafka, pipeline.config.topicDocumentsDlq),
      idle,
      loaded,
    };
    return result;
  } catch (err) {
    ctx.log(
      `rep ${rep} failed; the last output of the worker:\n${pipeline.worker.output().slice(-4000)}\nand of the consumer:\n${pipeline.consumer.output().slice(-4000)}`,
    );
    throw err;
  } finally {
    await answers?.stop().catch(() => undefined);
    await Promise.all([producer.disconnect(), queryProducer.disconnect()]);
    await pipeline.stop();
    // Filled in after the stop, so the shutdown's own warnings are in it too.
    if (result)
      result.logs = {
        worker: logTail(pipeline.worker.output()),
        consumer: logTail(pipeline.consumer.output()),
      };
  }
}

/** Lines worth keeping from a process's output: not the start-up banner nor kafkajs' fixed start-up notices. */
function logTail(output: string): string {
  const noise =
    /KafkaJS v2.0.0 switched default partitioner|Limiting retries for the idempotent producer|running; \/healthz|^SIGTERM: shutting down|^stopped$/;
  return output
    .split('\n')
    .filter((l) => l.trim() !== '' && !noise.test(l))
    .join('\n')
    .slice(-4000);
}
