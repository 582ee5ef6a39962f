import {
  coresUsed,
  cpuSecondsUsed,
  usedBetween,
  writeRateMbPerSec,
  machineBusy,
  type MachineSample,
  type ProcessSeries,
} from './lib/process-sampler.ts';
import { median, percentiles, quantile, type Percentiles } from './lib/stats.ts';
import type { EngineRun, PipelineRun, QueryPhase } from './pipeline-runs.ts';

/** The sampler's label of the bench process itself, where the engine-alone runs happen. */
export const BENCH_LABEL = 'bench (engine alone runs here)';

/** Resident memory of one process over a stretch of the run, in MB. */
export interface MemoryFigures {
  /** Once the process was up, before any work. */
  startMb: number;
  /** Highest during the first ingest (engine cold) and during the loaded phase (engine warm, later batches). */
  firstIngestPeakMb: number;
  afterFirstIngestMb: number;
  loadedPeakMb: number;
  peakMb: number;
  p50Mb: number;
  /** RSS once the pipeline is warm (first ingest and idle queries done) and at the end of the loaded phase. */
  warmStartMb: number;
  warmEndMb: number;
  /** warmEnd over warmStart, minus one. */
  warmGrowth: number;
}

export interface PhaseLatency {
  e2e: Percentiles;
  took: Percentiles;
  /** Query published → answer message stamped by the worker's producer. */
  toAnswerPublished: Percentiles;
  /** Answer stamped → received by the asker. */
  answerDelivery: Percentiles;
  /** Answers that were errors. */
  errors: number;
  /** Queries with no answer within the answer timeout. */
  unanswered: number;
  metrics: QueryPhase['metrics'];
  /** Cores' worth of CPU the worker used, and the busy share of the whole machine, during the phase. */
  workerCores: number;
  machineBusy: number;
}

/** The phases of a repetition, for per-process CPU and disk figures. */
export const PHASES = ['engine alone', 'pipeline ingest', 'idle queries', 'loaded queries'] as const;
export type PhaseName = (typeof PHASES)[number];

/** What one process used during one phase: cores' worth of CPU and MB/s written to storage. */
export interface ResourceUse {
  cores: number;
  writeMbPerSec: number;
}

export interface RepetitionSummary {
  rep: number;
  /** By phase, then by process label (worker and consumer: this repetition's own). */
  resources: Record<PhaseName, Record<string, ResourceUse>>;
  /** The engine alone's runs before and after the pipeline's ingest pooled: documents over seconds. */
  engineDocsPerSec: number;
  /** Each engine-alone run of the repetition, in order. */
  engineRunsDocsPerSec: number[];
  pipelineDocsPerSec: number;
  /** pipeline / engine alone, both of this repetition. */
  throughputRatio: number;
  /** The engine alone with spinning threads (EMBED_BULK_SPINNING=true), when the pipeline ran without. */
  spinningEngineDocsPerSec?: number;
  /** pipeline / the engine alone with spinning threads. */
  spinningThroughputRatio?: number;
  pipelineWorkerCores: number;
  engineCores: number;
  /**
   * CPU seconds per document: the bench process during the engine-alone runs, and the worker plus
   * the consumer during the pipeline ingest. On a shared machine this is the load-independent side
   * of the comparison: it says what the pipeline costs beyond the embedding, whatever CPU others took.
   */
  engineCpuPerDoc: number;
  pipelineCpuPerDoc: number;
  /** Kafka, Temporal, Qdrant and Jaeger during the pipeline ingest (they also serve whoever else uses the stack). */
  stackCpuPerDoc: number;
  engineMachineBusy: number;
  pipelineMachineBusy: number;
  idle: PhaseLatency;
  loaded: PhaseLatency;
  /** loaded p99 / idle p99 of this repetition. */
  p99Ratio: number;
  worker: MemoryFigures;
  consumer: MemoryFigures;
}

export interface Target {
  name: string;
  value: string;
  wanted: string;
  met: boolean;
}

export interface OverallSummary {
  engineDocsPerSec: number;
  pipelineDocsPerSec: number;
  throughputRatio: number;
  /** Medians of the repetitions' figures against the engine alone with spinning threads, when it ran. */
  spinning?: { engineDocsPerSec: number; throughputRatio: number };
  /** engine CPU per document over pipeline (worker + consumer) CPU per document, median of repetitions. */
  cpuEfficiencyRatio: number;
  idle: { p50: number; p95: number; p99: number };
  loaded: { p50: number; p95: number; p99: number };
  p99Ratio: number;
  /** Every timed query of every repetition together: more samples behind each tail figure than one repetition has. */
  pooled: { idle: Percentiles; loaded: Percentiles };
  workerPeakMb: number;
  workerWarmGrowth: number;
  /** Peak and median RSS of every other sampled process over the whole run. */
  otherProcesses: { label: string; peakMb: number; p50Mb: number }[];
  targets: Target[];
}

function memory(series: ProcessSeries | undefined, pipeline: PipelineRun): MemoryFigures {
  const samples = series?.samples ?? [];
  const rss = samples.map((s) => s.rssMb);
  const inside = (from: number, to: number) =>
    samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.rssMb);
  const peak = (from: number, to: number) => Math.max(...inside(from, to));
  const first = (from: number) => samples.find((s) => s.t >= from)?.rssMb ?? Number.NaN;
  // Warm once both paths ran: a full ingest, then the idle queries (the query lane's session, caches
  // and workflow threads warm up on their own, over the first few hundred queries).
  const warm = inside(pipeline.idle.to, pipeline.loaded.to);
  const start = warm[0] ?? Number.NaN;
  const end = warm[warm.length - 1] ?? Number.NaN;
  return {
    startMb: samples[0]?.rssMb ?? Number.NaN,
    firstIngestPeakMb: peak(pipeline.from, pipeline.to),
    afterFirstIngestMb: first(pipeline.to),
    loadedPeakMb: peak(pipeline.loaded.from, pipeline.loaded.to),
    peakMb: rss.length ? Math.max(...rss) : Number.NaN,
    p50Mb: quantile(rss, 0.5),
    warmStartMb: start,
    warmEndMb: end,
    warmGrowth: end / start - 1,
  };
}

function phaseLatency(
  phase: QueryPhase,
  worker: ProcessSeries | undefined,
  machine: readonly MachineSample[],
): PhaseLatency {
  const answered = phase.timings.filter((t) => !t.timedOut);
  const ok = answered.filter((t) => t.error === undefined);
  return {
    // An unanswered query counts with the time it was waited for: a lower bound, but never left out.
    e2e: percentiles(phase.timings.map((t) => t.e2eMs)),
    took: percentiles(ok.map((t) => t.tookMs!)),
    toAnswerPublished: percentiles(answered.map((t) => t.toAnswerPublishedMs!)),
    answerDelivery: percentiles(answered.map((t) => t.answerDeliveryMs!)),
    errors: answered.length - ok.length,
    unanswered: phase.timings.length - answered.length,
    metrics: phase.metrics,
    workerCores: worker ? coresUsed(worker, phase.from, phase.to) : Number.NaN,
    machineBusy: machineBusy(machine, phase.from, phase.to),
  };
}

/** A stretch of the sampler's clock. */
interface Window {
  from: number;
  to: number;
}

/**
 * What a series used over several windows, as the single-window figures count it (between the
 * first and last sample inside each window). A process missing from a window (not started yet)
 * used none there, over the window's length; NaN when it is missing from all of them.
 */
function pooledUse(
  series: ProcessSeries,
  windows: readonly Window[],
): { cpuSeconds: number; writtenMb: number; seconds: number } {
  let cpuSeconds = 0;
  let writtenMb = 0;
  let seconds = 0;
  let seen = false;
  for (const w of windows) {
    const used = usedBetween(series, w.from, w.to);
    if (!used) {
      seconds += w.to - w.from;
      continue;
    }
    seen = true;
    cpuSeconds += used.cpuSeconds;
    seconds += used.seconds;
    const written = writeRateMbPerSec(series, w.from, w.to);
    if (!Number.isNaN(written)) writtenMb += written * used.seconds;
  }
  return seen
    ? { cpuSeconds, writtenMb, seconds }
    : { cpuSeconds: Number.NaN, writtenMb: Number.NaN, seconds };
}

function pooledResourceUse(series: ProcessSeries, windows: readonly Window[]): ResourceUse {
  const use = pooledUse(series, windows);
  return { cores: use.cpuSeconds / use.seconds, writeMbPerSec: use.writtenMb / use.seconds };
}

/** The machine's busy share over several windows, each weighted by its length. */
function pooledMachineBusy(machine: readonly MachineSample[], windows: readonly Window[]): number {
  let busy = 0;
  let seconds = 0;
  for (const w of windows) {
    const share = machineBusy(machine, w.from, w.to);
    if (Number.isNaN(share)) continue;
    busy += share * (w.to - w.from);
    seconds += w.to - w.from;
  }
  return seconds > 0 ? busy / seconds : Number.NaN;
}

export function summarizeRepetition(
  rep: number,
  engines: readonly EngineRun[],
  pipeline: PipelineRun,
  series: readonly ProcessSeries[],
  machine: readonly MachineSample[],
  spinningEngine?: EngineRun,
): RepetitionSummary {
  // Every repetition has fresh processes: the one tracked during its pipeline ingest is its own.
  const own = (label: string) =>
    series.find(
      (s) => s.label === label && s.samples.some((x) => x.t >= pipeline.from && x.t <= pipeline.to),
    );
  const worker = own('worker');
  const consumer = own('consumer');
  const bench = series.find((s) => s.label === BENCH_LABEL);
  const cpu = (s: ProcessSeries | undefined, from: number, to: number) =>
    s ? cpuSecondsUsed(s, from, to) : Number.NaN;
  const stack = series.filter((s) => s !== bench && s.label !== 'worker' && s.label !== 'consumer');
  const idle = phaseLatency(pipeline.idle, worker, machine);
  const loaded = phaseLatency(pipeline.loaded, worker, machine);
  const windows: Record<PhaseName, readonly Window[]> = {
    'engine alone': engines,
    'pipeline ingest': [pipeline],
    'idle queries': [pipeline.idle],
    'loaded queries': [pipeline.loaded],
  };
  const processes = [
    ...(worker ? [worker] : []),
    ...(consumer ? [consumer] : []),
    ...stack,
    ...(bench ? [bench] : []),
  ];
  const resources = Object.fromEntries(
    PHASES.map((phase) => [
      phase,
      Object.fromEntries(processes.map((s) => [s.label, pooledResourceUse(s, windows[phase])])),
    ]),
  ) as Record<PhaseName, Record<string, ResourceUse>>;
  const engineDocuments = engines.reduce((n, e) => n + e.documents, 0);
  const engineDocsPerSec = engineDocuments / engines.reduce((n, e) => n + e.seconds, 0);
  const engineUse = bench ? pooledUse(bench, engines) : undefined;
  return {
    rep,
    resources,
    engineDocsPerSec,
    engineRunsDocsPerSec: engines.map((e) => e.docsPerSec),
    pipelineDocsPerSec: pipeline.docsPerSec,
    throughputRatio: pipeline.docsPerSec / engineDocsPerSec,
    ...(spinningEngine
      ? {
          spinningEngineDocsPerSec: spinningEngine.docsPerSec,
          spinningThroughputRatio: pipeline.docsPerSec / spinningEngine.docsPerSec,
        }
      : {}),
    pipelineWorkerCores: worker ? coresUsed(worker, pipeline.from, pipeline.to) : Number.NaN,
    engineCores: engineUse ? engineUse.cpuSeconds / engineUse.seconds : Number.NaN,
    engineCpuPerDoc: (engineUse?.cpuSeconds ?? Number.NaN) / engineDocuments,
    pipelineCpuPerDoc:
      (cpu(worker, pipeline.from, pipeline.to) + cpu(consumer, pipeline.from, pipeline.to)) /
      pipeline.documents,
    stackCpuPerDoc:
      stack.reduce((sum, s) => sum + cpu(s, pipeline.from, pipeline.to), 0) / pipeline.documents,
    engineMachineBusy: pooledMachineBusy(machine, engines),
    pipelineMachineBusy: machineBusy(machine, pipeline.from, pipeline.to),
    idle,
    loaded,
    p99Ratio: loaded.e2e.p99 / idle.e2e.p99,
    worker: memory(worker, pipeline),
    consumer: memory(consumer, pipeline),
  };
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** Medians over repetitions, and the targets of the pipeline's "done when". */
export function summarizeOverall(
  reps: readonly RepetitionSummary[],
  runs: readonly { pipeline: PipelineRun }[],
  series: readonly ProcessSeries[],
): OverallSummary {
  const pooled = (phase: 'idle' | 'loaded') =>
    percentiles(runs.flatMap((r) => r.pipeline[phase].timings.map((t) => t.e2eMs)));
  const med = (f: (r: RepetitionSummary) => number) => median(reps.map(f));
  const throughputRatio = med((r) => r.throughputRatio);
  const idle = {
    p50: med((r) => r.idle.e2e.p50),
    p95: med((r) => r.idle.e2e.p95),
    p99: med((r) => r.idle.e2e.p99),
  };
  const loaded = {
    p50: med((r) => r.loaded.e2e.p50),
    p95: med((r) => r.loaded.e2e.p95),
    p99: med((r) => r.loaded.e2e.p99),
  };
  const p99Ratio = med((r) => r.p99Ratio);
  const workerPeakMb = Math.max(...reps.map((r) => r.worker.peakMb));
  const workerWarmGrowth = Math.max(...reps.map((r) => r.worker.warmGrowth));
  const labels = [...new Set(series.map((s) => s.label))].filter((l) => l !== 'worker' && l !== 'consumer');
  const otherProcesses = labels.map((label) => {
    const rss = series.filter((s) => s.label === label).flatMap((s) => s.samples.map((x) => x.rssMb));
    return { label, peakMb: Math.max(...rss), p50Mb: quantile(rss, 0.5) };
  });
  return {
    engineDocsPerSec: med((r) => r.engineDocsPerSec),
    pipelineDocsPerSec: med((r) => r.pipelineDocsPerSec),
    throughputRatio,
    ...(reps.every((r) => r.spinningThroughputRatio !== undefined)
      ? {
          spinning: {
            engineDocsPerSec: med((r) => r.spinningEngineDocsPerSec!),
            throughputRatio: med((r) => r.spinningThroughputRatio!),
          },
        }
      : {}),
    cpuEfficiencyRatio: med((r) => r.engineCpuPerDoc / r.pipelineCpuPerDoc),
    idle,
    loaded,
    p99Ratio,
    pooled: { idle: pooled('idle'), loaded: pooled('loaded') },
    workerPeakMb,
    workerWarmGrowth,
    otherProcesses,
    targets: [
      {
        name: 'ingest throughput, pipeline / engine alone',
        value: `${fmt(throughputRatio, 3)}×`,
        wanted: '≥ 0.90×',
        met: throughputRatio >= 0.9,
      },
      { name: 'query p99, idle', value: `${fmt(idle.p99)} ms`, wanted: '≤ 100 ms', met: idle.p99 <= 100 },
      {
        name: 'query p99 under bulk ingest / idle p99',
        value: `${fmt(p99Ratio, 2)}×`,
        wanted: '≤ 2×',
        met: p99Ratio <= 2,
      },
      {
        name: 'worker peak RSS',
        value: `${fmt(workerPeakMb, 0)} MB`,
        wanted: '< 1024 MB',
        met: workerPeakMb < 1024,
      },
      {
        name: 'worker RSS growth once warm (end of idle queries → end of loaded phase, worst repetition)',
        value: `${fmt(workerWarmGrowth * 100)} %`,
        wanted: '≤ 10 %',
        met: workerWarmGrowth <= 0.1,
      },
    ],
  };
}
