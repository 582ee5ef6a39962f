/**
 * Pipeline benchmark (`npm run bench:pipeline`; `BENCH_QUICK=1` for a smoke run; BENCH_DOCS,
 * BENCH_LOAD_DOCS, BENCH_REPS and BENCH_QUERIES to size it). On one corpus, in one run, each
 * repetition on fresh processes: ingest throughput through Kafka → Temporal → Qdrant against the
 * embedding engine alone, query latency through Kafka idle and under a bulk ingest, and the
 * resident memory of every process. Writes bench/results/pipeline.{json,md,svg}.
 */
// First: the engine runs here under the same start-up limits (allocator, V8 young generation)
// as in `embedstream run`.
import '../src/cli/startup-limits.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE_DIR } from '../src/config/settings.ts';
import { loadConfig } from '../src/config/index.ts';
import { bulkSessionThreads, loadTokenizer, resolveModelFiles } from '../src/embedding/index.ts';
import { createKafka } from '../src/kafka/index.ts';
import { machineInfo } from './lib/machine.ts';
import { machineBusy, ProcessSampler } from './lib/process-sampler.ts';
import { renderPipelineSvg } from './pipeline-chart.ts';
import { chunkTexts, loadBenchCorpus } from './pipeline-corpus.ts';
import { pipelineBenchOptions } from './pipeline-options.ts';
import { queryPathIntervals } from './pipeline-traces.ts';
import { renderPipelineMarkdown, type PipelineReport } from './pipeline-report.ts';
import {
  runEngineAlone,
  runPipeline,
  warmUpStack,
  type EngineRun,
  type PipelineRun,
  type RepetitionRuns,
  type RunContext,
} from './pipeline-runs.ts';
import { BENCH_LABEL, summarizeOverall, summarizeRepetition } from './pipeline-summary.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench/results');
/** More than two cores ingest per second: enough load batches are prepared to keep the worker busy for BENCH_LOAD_MAX_SECONDS. */
const MAX_DOCS_PER_SECOND = 12;
/** Processes of the local stack, sampled beside the worker and consumer (pid files of infra/local/stack). */
const STACK = ['kafka', 'temporal', 'qdrant', 'jaeger'];
/** How long the machine's busy share is read while the bench itself does nothing: the others' load. */
const BACKGROUND_MS = 5000;

function log(msg: string): void {
  process.stderr.write(`[bench:pipeline ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Busy share of the whole machine over the next BACKGROUND_MS, while the bench does nothing. */
async function backgroundBusy(sampler: ProcessSampler): Promise<number> {
  const from = sampler.now();
  await new Promise((r) => setTimeout(r, BACKGROUND_MS));
  return machineBusy(sampler.machine(), from, sampler.now());
}

async function traceStages(
  jaegerUrl: string,
  runs: readonly { pipeline: PipelineRun }[],
): Promise<PipelineReport['traces']> {
  try {
    const [idle, loaded] = await Promise.all([
      queryPathIntervals(
        jaegerUrl,
        runs.map((r) => r.pipeline.idle.traces),
      ),
      queryPathIntervals(
        jaegerUrl,
        runs.map((r) => r.pipeline.loaded.traces),
      ),
    ]);
    const out: PipelineReport['traces'] = {};
    if (idle) out.idle = idle;
    if (loaded) out.loaded = loaded;
    if (!idle && !loaded)
      out.unavailable = `no query traces in Jaeger at ${jaegerUrl} (is OTEL_TRACES_ENABLED false?)`;
    return out;
  } catch (err) {
    return { unavailable: err instanceof Error ? err.message : String(err) };
  }
}

function trackStack(sampler: ProcessSampler): void {
  sampler.track(BENCH_LABEL, process.pid);
  for (const name of STACK) {
    const file = path.join(CACHE_DIR, 'stack', 'run', `${name}.pid`);
    const pid = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : NaN;
    if (Number.isInteger(pid) && fs.existsSync(`/proc/${pid}`)) sampler.track(name, pid);
    else log(`${name}: no running process found from ${file}; its memory is not sampled`);
  }
}

async function main(): Promise<void> {
  const options = pipelineBenchOptions();
  const config = loadConfig();
  const machine = machineInfo(ROOT);
  const corpus = loadBenchCorpus({
    documents: options.documents,
    loadDocuments: options.loadDocuments,
    loadBatches: Math.ceil((options.loadMaxSeconds * MAX_DOCS_PER_SECOND) / options.loadDocuments) + 1,
    queries: options.warmupQueries + 2 * options.queries,
  });
  const tokenizer = loadTokenizer(resolveModelFiles(config).tokenizerPath, { maxTokens: config.maxTokens });
  const expectedChunks = (await chunkTexts(tokenizer, corpus.documents, config)).length;
  const loadChunks: number[] = [];
  for (const batch of corpus.load) loadChunks.push((await chunkTexts(tokenizer, batch, config)).length);
  log(
    `corpus: ${corpus.source}; ${corpus.documents.length} documents (${expectedChunks} chunks), up to ${corpus.load.length} load batches of ${options.loadDocuments}`,
  );
  log(
    `${options.repetitions} repetition(s); load average ${machine.loadAverageBefore.map((l) => l.toFixed(2)).join(' / ')} on ${machine.cores} cores`,
  );

  const kafka = createKafka(config, { clientIdSuffix: '-bench', logLevel: 'error' });
  const sampler = new ProcessSampler(500);
  trackStack(sampler);
  sampler.start();
  machine.backgroundBusyBefore = await backgroundBusy(sampler);
  log(`machine ${(machine.backgroundBusyBefore * 100).toFixed(0)} % busy with others' work before the run`);
  const ctx: RunContext = {
    config,
    kafka,
    sampler,
    tokenizer,
    corpus,
    expectedChunks,
    loadChunks,
    loadMaxSeconds: options.loadMaxSeconds,
    warmupQueries: options.warmupQueries,
    queries: options.queries,
    log,
  };

  const warmup = corpus.load[0] ?? corpus.documents;
  log(`warm-up: ${warmup.length} documents through a throwaway pipeline, untimed`);
  log(`warm-up took ${(await warmUpStack(ctx, warmup)).toFixed(1)} s`);

  const runs: RepetitionRuns[] = [];
  for (let rep = 1; rep <= options.repetitions; rep++) {
    const timeEngine = async (name: string, engineCtx: RunContext) => {
      log(`rep ${rep}: ${name} on ${corpus.documents.length} documents`);
      const run = await runEngineAlone(engineCtx, corpus.documents);
      log(`rep ${rep}: ${name} ${run.docsPerSec.toFixed(2)} docs/s (${run.seconds.toFixed(1)} s)`);
      return run;
    };
    // Besides the engine with the pipeline's own settings, the engine with spinning threads, its
    // fastest on otherwise idle cores, is timed as a reference, unless no bulk session has a second
    // thread to spin.
    const spinningEngine =
      config.bulkSpinning || bulkSessionThreads(config).every((t) => t === 1)
        ? undefined
        : await timeEngine('engine alone with spinning threads', {
            ...ctx,
            config: { ...config, bulkSpinning: true },
          });
    // The engine alone is timed right before and right after the pipeline's ingest, so a drift in the
    // shared machine's speed weighs on both sides of the ratio alike.
    const before = await timeEngine('engine alone, before the pipeline', ctx);
    let after: EngineRun | undefined;
    const pipeline = await runPipeline(ctx, rep, async () => {
      after = await timeEngine('engine alone, after the pipeline', ctx);
    });
    runs.push({ engines: [before, after!], ...(spinningEngine ? { spinningEngine } : {}), pipeline });
  }
  machine.backgroundBusyAfter = await backgroundBusy(sampler);
  sampler.stop();
  machine.loadAverageAfter = os.loadavg();
  // The processes flushed their spans when they stopped; Jaeger indexes them within moments.
  const traces = await traceStages(config.jaegerQueryUrl, runs);

  const repetitions = runs.map((r, i) =>
    summarizeRepetition(i + 1, r.engines, r.pipeline, sampler.series(), sampler.machine(), r.spinningEngine),
  );
  const report: PipelineReport = {
    generatedAt: new Date().toISOString(),
    options,
    machine,
    settings: {
      topicPartitions: config.topicPartitions,
      ingestBatchDocs: config.ingestBatchDocs,
      ingestMaxBacklog: config.ingestMaxBacklog,
      chunkTokens: config.chunkTokens,
      chunkOverlap: config.chunkOverlap,
      embedThreads: config.embedThreads,
      bulkSessions: config.bulkSessions,
      tokenBudgetMax: config.tokenBudgetMax,
      queryLane: config.queryLane,
      precision: config.precision,
      bulkSpinning: config.bulkSpinning,
      tracesExported: config.otelEnabled,
    },
    corpus: {
      source: corpus.source,
      documents: corpus.documents.length,
      chunks: expectedChunks,
      loadBatchDocuments: options.loadDocuments,
      loadBatchesPrepared: corpus.load.length,
      warmupDocuments: warmup.length,
    },
    repetitions,
    overall: summarizeOverall(repetitions, runs, sampler.series()),
    traces,
    raw: { runs, processes: sampler.series(), machine: sampler.machine() },
  };

  fs.mkdirSync(OUT, { recursive: true });
  const base = options.quick ? 'pipeline-quick' : 'pipeline';
  const markdown = renderPipelineMarkdown(report, `${base}.svg`);
  fs.writeFileSync(path.join(OUT, `${base}.json`), `${JSON.stringify(report, roundNumbers, 1)}\n`);
  fs.writeFileSync(path.join(OUT, `${base}.md`), markdown);
  fs.writeFileSync(path.join(OUT, `${base}.svg`), renderPipelineSvg(report));
  process.stdout.write(markdown);
  log(`wrote ${path.join(OUT, base)}.{json,md,svg}`);
}

/** Three decimals are more than any figure here resolves; they keep the raw samples readable. */
function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
}

await main();
