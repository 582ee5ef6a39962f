import type { Kafka } from 'kafkajs';
import type { Config } from '../src/config/index.ts';
import { createEmbedder, type TextTokenizer } from '../src/embedding/index.ts';
import { MessageProducer } from '../src/kafka/index.ts';
import type { ProcessSampler } from './lib/process-sampler.ts';
import { TimedAnswers } from './pipeline-answers.ts';
import { chunkTexts, type BenchCorpus, type BenchDocument } from './pipeline-corpus.ts';
import { timeQueries, type QueryTiming } from './pipeline-queries.ts';
import { phaseMetrics, snapshotMetrics, type PhaseMetrics } from './pipeline-metrics.ts';
import { publishDocuments, startPipeline, waitForPoints } from './pipeline-services.ts';
import type { TraceWindow } from './pipeline-traces.ts';

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

export interface QueryPhase extends Span {
  timings: QueryTiming[];
  metrics: PhaseMetrics;
  /** The phase on the wall clock and the repetition's topics, to find its traces in Jaeger. */
  traces: TraceWindow;
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
  idle: QueryPhase;
  loaded: QueryPhase & { ingestSeconds: number; documents: number; docsPerSec: number };
}

export interface RunContext {
  config: Config;
  kafka: Kafka;
  sampler: ProcessSampler;
  tokenizer: TextTokenizer;
  corpus: BenchCorpus;
  expectedChunks: number;
  expectedLoadChunks: number;
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

/**
 * One repetition through the real pipeline on fresh processes: ingest the corpus (timed from the
 * first publish to the last expected point in Qdrant), then sequential queries on the idle
 * pipeline, then sequential queries while the load batch is ingested.
 */
export async function runPipeline(ctx: RunContext, rep: number): Promise<PipelineRun> {
  const { sampler, kafka, corpus } = ctx;
  const pipeline = await startPipeline(ctx.config, kafka, sampler);
  const { config } = pipeline;
  const producer = new MessageProducer(kafka);
  const queryProducer = new MessageProducer(kafka);
  const answers = await TimedAnswers.start(kafka, config.topicQueryResults);
  try {
    await Promise.all([producer.connect(), queryProducer.connect()]);
    ctx.log(`rep ${rep}: pipeline ingest of ${corpus.documents.length} documents (${ctx.expectedChunks} chunks)`);
    const from = sampler.now();
    const started = performance.now();
    await publishDocuments(producer, config.topicDocuments, corpus.documents);
    const publishSeconds = (performance.now() - started) / 1000;
    let firstPointSeconds = Number.NaN;
    const done = await waitForPoints(pipeline, ctx.expectedChunks, {
      timeoutMs: 3_600_000,
      onProgress: (points) => {
        if (points > 0 && Number.isNaN(firstPointSeconds)) firstPointSeconds = (performance.now() - started) / 1000;
      },
    });
    const seconds = (done - started) / 1000;
    const to = sampler.now();
    ctx.log(`rep ${rep}: pipeline ${(corpus.documents.length / seconds).toFixed(2)} docs/s (${seconds.toFixed(1)} s)`);

    // Search workflow ids are request ids and are never reused (a repeated id is not answered again),
    // so every run's ids are its own: the collection's name is unique.
    const query = (prefix: string, texts: readonly string[], keepGoing?: () => boolean) =>
      timeQueries({
        producer: queryProducer,
        answers,
        topic: config.topicQueries,
        prefix: `${config.qdrantCollection}-r${rep}-${prefix}`,
        texts,
        ...(keepGoing ? { keepGoing } : {}),
      });
    const pool = corpus.queries;
    await query('warmup', pool.slice(0, ctx.warmupQueries));
    const idleTexts = pool.slice(ctx.warmupQueries, ctx.warmupQueries + ctx.queries);
    const window = (startMs: number): TraceWindow => ({ startMs, endMs: Date.now(), topicQueries: config.topicQueries, topicQueryResults: config.topicQueryResults });
    const idleFrom = sampler.now();
    const idleStartMs = Date.now();
    const beforeIdle = await snapshotMetrics(pipeline);
    const idleTimings = await query('idle', idleTexts);
    const afterIdle = await snapshotMetrics(pipeline);
    const idle: QueryPhase = { from: idleFrom, to: sampler.now(), timings: idleTimings, metrics: phaseMetrics(beforeIdle, afterIdle), traces: window(idleStartMs) };
    ctx.log(`rep ${rep}: ${idleTimings.length} idle queries`);

    const base = await pipeline.pointCount();
    const loadStarted = performance.now();
    await publishDocuments(producer, config.topicDocuments, corpus.load);
    let ingesting = true;
    const loadDone = waitForPoints(pipeline, base + ctx.expectedLoadChunks, { timeoutMs: 3_600_000 }).finally(() => (ingesting = false));
    // Let the consumer hand the first sub-batches to the worker, so timing starts with the machine busy.
    await new Promise((r) => setTimeout(r, 1500));
    const loadedFrom = sampler.now();
    const loadedStartMs = Date.now();
    const beforeLoaded = await snapshotMetrics(pipeline);
    const loadedTimings = await query('loaded', pool.slice(ctx.warmupQueries + ctx.queries), () => ingesting);
    const loadedTo = sampler.now();
    const loadedWindow = window(loadedStartMs);
    const afterLoaded = await snapshotMetrics(pipeline);
    const ingestSeconds = ((await loadDone) - loadStarted) / 1000;
    ctx.log(`rep ${rep}: ${loadedTimings.length} queries during a ${ingestSeconds.toFixed(1)} s ingest of ${corpus.load.length} documents`);

    return {
      from,
      to,
      publishSeconds,
      firstPointSeconds,
      seconds,
      documents: corpus.documents.length,
      chunks: ctx.expectedChunks,
      docsPerSec: corpus.documents.length / seconds,
      deadLetters: await deadLetterCount(kafka, config.topicDocumentsDlq),
      idle,
      loaded: {
        from: loadedFrom,
        to: loadedTo,
        timings: loadedTimings,
        metrics: phaseMetrics(beforeLoaded, afterLoaded),
        traces: loadedWindow,
        ingestSeconds,
        documents: corpus.load.length,
        docsPerSec: corpus.load.length / ingestSeconds,
      },
    };
  } catch (err) {
    ctx.log(`rep ${rep} failed; the last output of the worker:\n${pipeline.worker.output().slice(-4000)}\nand of the consumer:\n${pipeline.consumer.output().slice(-4000)}`);
    throw err;
  } finally {
    await answers.stop().catch(() => undefined);
    await Promise.all([producer.disconnect(), queryProducer.disconnect()]);
    await pipeline.stop();
  }
}
