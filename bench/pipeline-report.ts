import type { MachineInfo } from './lib/machine.ts';
import type { MachineSample, ProcessSeries } from './lib/process-sampler.ts';
import type { PipelineBenchOptions } from './pipeline-options.ts';
import type { RepetitionRuns } from './pipeline-runs.ts';
import { median } from './lib/stats.ts';
import {
  PHASES,
  type OverallSummary,
  type PhaseLatency,
  type RepetitionSummary,
} from './pipeline-summary.ts';
import type { QueryPathIntervals } from './pipeline-traces.ts';

export interface PipelineReport {
  generatedAt: string;
  options: PipelineBenchOptions;
  machine: MachineInfo;
  /** The service settings the figures depend on most. */
  settings: Record<string, string | number | boolean>;
  corpus: {
    source: string;
    documents: number;
    chunks: number;
    loadBatchDocuments: number;
    loadBatchesPrepared: number;
    /** Documents of the untimed ingest that warms the stack up before the first repetition. */
    warmupDocuments?: number;
  };
  repetitions: RepetitionSummary[];
  overall: OverallSummary;
  /** The query path interval by interval from Jaeger, pooled over repetitions. */
  traces: { idle?: QueryPathIntervals; loaded?: QueryPathIntervals; unavailable?: string };
  raw: {
    runs: RepetitionRuns[];
    processes: readonly ProcessSeries[];
    machine: readonly MachineSample[];
  };
}

const f = (v: number | undefined, digits = 1) =>
  v !== undefined && Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');

function latencyRow(rep: string, phase: string, p: PhaseLatency): string {
  const ws = p.metrics.workerSearch;
  const lag = p.metrics.workerLoopLag;
  return `| ${rep} | ${phase} | ${p.e2e.count}${p.errors ? `, ${p.errors} errors` : ''}${p.unanswered ? `, **${p.unanswered} unanswered**` : ''} | ${f(p.e2e.p50)} | ${f(p.e2e.p95)} | ${f(p.e2e.p99)} | ${f(p.e2e.max)} | ${f(p.took.p50)} / ${f(p.took.p99)} | ${ws ? `${f(ws.meanMs)} / ${f(ws.p99Ms, 0)}` : 'n/a'} | ${lag ? `${f(lag.p99Ms, 0)} / ${f(lag.maxMs, 0)}` : 'n/a'} | ${f(p.workerCores, 2)} | ${pct(p.machineBusy)} |`;
}

/** A median query split at the answer's Kafka timestamp: the way to the answer, and the answer's way back. */
function breakdown(reps: readonly RepetitionSummary[], phase: 'idle' | 'loaded'): string {
  const e2e = median(reps.map((r) => r[phase].e2e.p50));
  const published = median(reps.map((r) => r[phase].toAnswerPublished.p50));
  const delivery = median(reps.map((r) => r[phase].answerDelivery.p50));
  return `| ${phase === 'idle' ? 'idle' : 'under bulk ingest'} | ${f(e2e)} | ${f(published)} | ${f(delivery)} |`;
}

const INTERVALS: [keyof Omit<QueryPathIntervals, 'traces'>, string][] = [
  ['consumerBeforeStart', 'consumer: batch received → workflow start sent'],
  ['workflowStart', 'consumer: Temporal acknowledges the search workflow start'],
  ['startToSearch', 'start acknowledged → search runs on the worker (task dispatch, workflow activation)'],
  ['search', 'search (embed the query, query Qdrant, rank)'],
  ['searchToPublish', 'search done → answer sent'],
  ['publish', 'send the answer (produce, acks=all)'],
];

/** The query path interval by interval, from the traces. */
function intervalTable(t: PipelineReport['traces']): string {
  if (t.unavailable) return `Traces: not read (${t.unavailable}).`;
  const cells = (p: QueryPathIntervals | undefined, k: (typeof INTERVALS)[number][0]) =>
    p ? `${f(p[k].p50)} | ${f(p[k].p95)} | ${f(p[k].p99)}` : '| |';
  const rows = INTERVALS.map(([k, label]) => `| ${label} | ${cells(t.idle, k)} | ${cells(t.loaded, k)} |`);
  return `The query path from the consumer's and worker's traces in Jaeger (${t.idle?.traces ?? 0} idle and ${t.loaded?.traces ?? 0} loaded queries, pooled over repetitions; ms). Only spans on the wall clock are used: spans made inside workflow code read the workflow clock, which Temporal holds at the workflow task's start. Not in the traces: the query's way through Kafka to the consumer (the bench's producer is not traced) and the answer's way back.

| interval | idle p50 | idle p95 | idle p99 | loaded p50 | loaded p95 | loaded p99 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}`;
}

/** Cores and MB/s written per process and phase, medians over repetitions. */
function resourceTable(reps: readonly RepetitionSummary[]): string {
  const labels = [...new Set(reps.flatMap((r) => PHASES.flatMap((p) => Object.keys(r.resources[p]))))];
  const cell = (label: string, phase: (typeof PHASES)[number]) => {
    const uses = reps.map((r) => r.resources[phase][label]).filter((u) => u !== undefined);
    const cores = median(uses.map((u) => u.cores));
    const mbs = median(uses.map((u) => u.writeMbPerSec));
    return Number.isFinite(cores) ? `${f(cores, 2)} / ${f(mbs, 1)}` : '';
  };
  const rows = labels.map((label) => `| ${label} | ${PHASES.map((p) => cell(label, p)).join(' | ')} |`);
  return `| process | ${PHASES.join(' | ')} |
| --- | ${PHASES.map(() => '---:').join(' | ')} |
${rows.join('\n')}`;
}

export function renderPipelineMarkdown(r: PipelineReport, chartFile: string): string {
  const o = r.overall;
  const m = r.machine;
  const reps = r.repetitions;
  const targets = o.targets.map(
    (t) => `| ${t.name} | ${t.value} | ${t.wanted} | ${t.met ? 'met' : '**missed**'} |`,
  );
  const throughput = reps.map(
    (x) =>
      `| ${x.rep} | ${x.engineRunsDocsPerSec.map((v) => f(v, 2)).join(' / ')} | ${f(x.engineDocsPerSec, 2)} | ${f(x.pipelineDocsPerSec, 2)} | ${f(x.throughputRatio, 2)}× | ${f(x.engineCores, 2)} / ${f(x.pipelineWorkerCores, 2)} | ${f(x.engineCpuPerDoc, 3)} / ${f(x.pipelineCpuPerDoc, 3)} (+ ${f(x.stackCpuPerDoc, 3)}) | ${pct(x.engineMachineBusy)} / ${pct(x.pipelineMachineBusy)} |`,
  );
  const latency = reps.flatMap((x) => [
    latencyRow(String(x.rep), 'idle', x.idle),
    latencyRow(String(x.rep), 'under bulk ingest', x.loaded),
  ]);
  const loadedIngest = r.raw.runs
    .map(
      (run, i) =>
        `${i + 1}: ${f(run.pipeline.loaded.chunksEmbeddedPerSec ?? Number.NaN, 1)} chunks/s embedded and ${f(run.pipeline.loaded.chunksPerSec, 1)} indexed under load, against ${f(run.pipeline.chunks / run.pipeline.seconds, 1)} in the timed ingest`,
    )
    .join('; ');
  const memoryRows = reps.flatMap((x) =>
    (['worker', 'consumer'] as const).map((p) => {
      const m = x[p];
      return `| ${p} | ${x.rep} | ${f(m.peakMb, 0)} | ${f(m.p50Mb, 0)} | ${f(m.startMb, 0)} | ${f(m.firstIngestPeakMb, 0)} | ${f(m.afterFirstIngestMb, 0)} | ${f(m.warmStartMb, 0)} | ${f(m.loadedPeakMb, 0)} | ${f(m.warmEndMb, 0)} | ${f(m.warmGrowth * 100)} % |`;
    }),
  );
  const others = o.otherProcesses.map(
    (p) => `| ${p.label} | all | ${f(p.peakMb, 0)} | ${f(p.p50Mb, 0)} | | | | | | | |`,
  );
  const heaps = reps
    .map((x) => x.loaded.metrics.workerHeap)
    .map((h, i) =>
      h
        ? `${i + 1}: ${f(h.totalMb, 0)} MB (${f(h.usedMb, 0)} used, ${f(h.externalMb, 0)} external)`
        : `${i + 1}: n/a`,
    )
    .join(', ');
  const spinning = o.spinning
    ? `\n\nThe engine alone with spinning ONNX Runtime threads (\`EMBED_BULK_SPINNING=true\`; the pipeline's worker runs without, see the README), timed first in every repetition: ${reps.map((x) => f(x.spinningEngineDocsPerSec ?? Number.NaN, 2)).join(', ')} docs/s (median ${f(o.spinning.engineDocsPerSec, 2)}); the pipeline against it: ${reps.map((x) => `${f(x.spinningThroughputRatio ?? Number.NaN, 2)}×`).join(', ')} (median ${f(o.spinning.throughputRatio, 2)}×).`
    : '';
  const deadLetters = r.raw.runs.reduce((n, run) => n + run.pipeline.deadLetters, 0);
  const failed = r.raw.runs.reduce((n, run) => n + run.engines.reduce((m, e) => m + e.failed, 0), 0);
  const logLines = r.raw.runs.reduce(
    (n, run) =>
      n +
      [run.pipeline.logs?.worker, run.pipeline.logs?.consumer].join('\n').split('\n').filter(Boolean).length,
    0,
  );

  return `# Pipeline benchmark

${r.options.quick ? '**Quick smoke run (BENCH_QUICK=1): small corpus, one repetition; not representative.**\n\n' : ''}Generated ${r.generatedAt} on ${m.cores} × ${m.cpuModel} (${m.memoryGb} GB), Node ${m.node}, commit ${m.gitCommit}. The cores are shared with other work: with the bench idle, the machine was ${pct(m.backgroundBusyBefore ?? Number.NaN)} busy just before the run and ${pct(m.backgroundBusyAfter ?? Number.NaN)} just after (load average ${m.loadAverageBefore.map((l) => l.toFixed(2)).join(' / ')} before, ${(m.loadAverageAfter ?? []).map((l) => l.toFixed(2)).join(' / ')} after); the machine-busy columns below include that.

Corpus: ${r.corpus.source}: ${r.corpus.documents} documents (${r.corpus.chunks} chunks) ingested in every repetition; for the loaded phase, further documents in batches of ${r.corpus.loadBatchDocuments}, each published once most of the one before is indexed, so the worker ingests without a break until the phase has timed ${r.options.queries} queries or ${r.options.loadMaxSeconds} s have passed. Settings: ${Object.entries(
    r.settings,
  )
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ')}.

Every repetition runs on fresh \`embedstream run --role worker\` and \`--role consumer\` processes, new topics and a new collection, so no cache carries over. The engine alone is the ingest activities' work without Kafka, Temporal or Qdrant: a fresh embedder in the bench process chunks the same documents and embeds every chunk text (\`title + "\\n" + chunk\`). The pipeline is timed from the first publish to the moment Qdrant holds every expected chunk. The engine alone is timed right before and right after the pipeline's ingest (during the second run the repetition's worker and consumer are up and idle; their CPU is in the engine-alone column below), and the ratio is against the two runs together (documents over seconds), so a drift in the shared machine's speed weighs on both sides alike.${r.corpus.warmupDocuments ? ` Before the first repetition, an untimed ingest of ${r.corpus.warmupDocuments} other documents through a throwaway pipeline warms Kafka, Temporal and Qdrant up, as a running deployment is.` : ''} Figures are medians over ${reps.length} repetition(s); the ratios are per repetition, side by side.

## Targets

| target | measured | wanted | |
| --- | ---: | ---: | --- |
${targets.join('\n')}

## Ingest throughput

*Cores*: CPU the engine-alone runs (the bench process) and the pipeline's worker had while ingesting. *CPU s per document*: the bench process during the engine-alone runs, and the worker plus the consumer during the pipeline ingest (in brackets: Kafka, Temporal, Qdrant and Jaeger, which also serve anyone else using the stack); unlike docs/s, it does not depend on how much CPU other work left over. Engine CPU over pipeline CPU per document, median: ${f(o.cpuEfficiencyRatio, 2)}×.

| rep | engine alone docs/s, before / after | both | pipeline docs/s | pipeline / engine | cores (engine / worker) | CPU s per document (engine / worker + consumer) | machine busy (engine / pipeline) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${throughput.join('\n')}
| median | | ${f(o.engineDocsPerSec, 2)} | ${f(o.pipelineDocsPerSec, 2)} | ${f(o.throughputRatio, 2)}× | | | |${spinning}

Failed chunk embeddings (engine alone): ${failed}; dead-lettered documents (pipeline): ${deadLetters}; warning or error lines printed by the worker and consumer (at LOG_LEVEL=warn): ${logLines} (in the JSON, \`raw.runs[].pipeline.logs\`). Ingest while the loaded queries ran (the bulk lane gets what the queries leave; a document is written to Qdrant within seconds of its last chunk's embedding, so Qdrant's points trail the embedded chunks a little): ${loadedIngest}.

## Query latency through Kafka, ms

Sequential queries (each sent once the previous one was answered), from the publish to \`queries\` until the answer arrives on \`query-results\`; ${r.options.warmupQueries} warm-up queries first; a query unanswered after 30 s counts with the 30 s. *tookMs* is the answer's own figure, computed on the worker from the query message's timestamp to the moment the answer is sent; *worker search* is the worker's \`embedstream_search_duration_seconds\` over the phase (embed the query, query Qdrant, rank): mean, and p99 interpolated within the histogram's buckets; *loop lag* is the worker's event-loop delay over the phase (p99 / max), which every callback of that process waits out.

| rep | phase | queries | p50 | p95 | p99 | max | tookMs p50 / p99 | worker search mean / p99≈ | worker loop lag p99 / max | worker cores | machine busy |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${latency.join('\n')}
| median | idle | | ${f(o.idle.p50)} | ${f(o.idle.p95)} | ${f(o.idle.p99)} | | | | | | |
| median | under bulk ingest | | ${f(o.loaded.p50)} | ${f(o.loaded.p95)} | ${f(o.loaded.p99)} | | | | | | |
| all pooled | idle | ${o.pooled.idle.count} | ${f(o.pooled.idle.p50)} | ${f(o.pooled.idle.p95)} | ${f(o.pooled.idle.p99)} | ${f(o.pooled.idle.max)} | | | | | |
| all pooled | under bulk ingest | ${o.pooled.loaded.count} | ${f(o.pooled.loaded.p50)} | ${f(o.pooled.loaded.p95)} | ${f(o.pooled.loaded.p99)} | ${f(o.pooled.loaded.max)} | | | | | |

p99 under bulk ingest / idle p99, per repetition: ${reps.map((x) => `${f(x.p99Ratio, 2)}×`).join(', ')} (median ${f(o.p99Ratio, 2)}×).

A median query split at the answer message's Kafka timestamp, set as the worker's producer sends it (medians over repetitions, ms):

| phase | end to end p50 | query published → answer sent p50 | answer sent → received p50 (produce with acks=all, the asker's fetch) |
| --- | ---: | ---: | ---: |
${breakdown(reps, 'idle')}
${breakdown(reps, 'loaded')}

${intervalTable(r.traces)}

## CPU and storage writes by process

Cores' worth of CPU / MB per second written to storage (\`/proc/<pid>/io\` write_bytes), per phase, medians over repetitions. The engine alone runs in the bench process; the worker and consumer exist from the pipeline's start, so in the engine-alone column they are the idle processes beside the run after the ingest (averaged over both runs).

${resourceTable(reps)}

## Resident memory (VmRSS, sampled every 500 ms), MB

*At start*: once the process was up, before any work. *First ingest peak*: the highest reading while the corpus was ingested (engine cold); *after*: just after. *After idle queries*: the pipeline is warm, both paths have run (the query lane's session, caches and workflow threads warm up on their own, over the first few hundred queries). *Loaded phase peak* and *end*: while, and just as, the loaded queries ended (engine warm, later batches). *Growth once warm*: end over after idle queries.

| process | rep | peak | p50 | at start | first ingest peak | after | after idle queries | loaded phase peak | end | growth once warm |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${memoryRows.join('\n')}
${others.join('\n')}

The worker's main-thread V8 heap at the end of the loaded phase, per repetition: ${heaps}; the rest of its RSS is native: the ONNX Runtime sessions (the bulk sessions and the query lane's, each with its own copy of the model and its arena), the isolates of the inference and workflow threads, and the Temporal core.

![throughput, latency and memory](${chartFile})
`;
}
