/**
 * Tracing overhead benchmark (`npm run bench:tracing`; `BENCH_QUICK=1` for a smoke run, BENCH_DOCS
 * and BENCH_REPS to size it). The same corpus is ingested through Kafka → Temporal → Qdrant with
 * trace export off and on, side by side in every repetition (the order alternates), each time on
 * fresh worker and consumer processes, topics and collection. The bottleneck report of the last
 * traced ingest is written beside the figures, as `embedstream traces report` makes it. Writes
 * bench/results/tracing.{json,md} and bench/results/tracing-report.{md,svg}.
 */
// First: the engine runs here under the same start-up limits (allocator, V8 young generation)
// as in `embedstream run`.
import '../src/cli/startup-limits.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../src/config/index.ts';
import { loadTokenizer, resolveModelFiles } from '../src/embedding/index.ts';
import { createKafka, MessageProducer } from '../src/kafka/index.ts';
import { buildReport, type BottleneckReport } from '../src/telemetry/report/bottleneck-report.ts';
import { JaegerClient } from '../src/telemetry/report/jaeger-client.ts';
import { renderMarkdown } from '../src/telemetry/report/render-report.ts';
import { stageChartSvg } from '../src/telemetry/report/svg-chart.ts';
import { machineInfo, type MachineInfo } from './lib/machine.ts';
import { coresUsed, cpuSecondsUsed, ProcessSampler, type ProcessSeries } from './lib/process-sampler.ts';
import { median } from './lib/stats.ts';
import { chunkTexts, loadBenchCorpus } from './pipeline-corpus.ts';
import { publishDocuments, startPipeline, waitForPoints } from './pipeline-services.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench/results');
const INGEST_TIMEOUT_MS = 3_600_000;
/** Time Jaeger is given to index the spans flushed when the traced processes stopped. */
const INDEX_WAIT_MS = 3000;
/** Time the workflows are given to complete once every point is in Qdrant. */
const SETTLE_MS = 3000;

const schema = z.object({
  BENCH_QUICK: z.enum(['0', '1', '']).default('0'),
  BENCH_DOCS: z.coerce.number().int().min(1).optional(),
  BENCH_REPS: z.coerce.number().int().min(1).optional(),
});

type Mode = 'off' | 'on';

interface IngestRun {
  mode: Mode;
  seconds: number;
  docsPerSec: number;
  /** CPU seconds of the worker and the consumer per document. */
  cpuPerDoc: number;
  workerCores: number;
  workerPeakRssMb: number;
}

interface TracingReport {
  generatedAt: string;
  machine: MachineInfo;
  corpus: { source: string; documents: number; chunks: number };
  runs: { rep: number; off: IngestRun; on: IngestRun; ratio: number }[];
  median: { offDocsPerSec: number; onDocsPerSec: number; ratio: number; overheadPercent: number };
}

function log(msg: string): void {
  process.stderr.write(`[bench:tracing ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** The series of the process tracked last under `label` (each ingest has fresh processes). */
function latest(sampler: ProcessSampler, label: string): ProcessSeries | undefined {
  return sampler.series().findLast((s) => s.label === label);
}

function peakRss(sampler: ProcessSampler, label: string, from: number, to: number): number {
  const series = latest(sampler, label);
  const inWindow = series?.samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.rssMb) ?? [];
  return inWindow.length > 0 ? Math.max(...inWindow) : Number.NaN;
}

function renderMarkdownTable(r: TracingReport, reportFile: string): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const rows = r.runs.map(
    (x) =>
      `| ${x.rep} | ${f(x.off.docsPerSec)} | ${f(x.on.docsPerSec)} | ${f(x.ratio, 3)}× | ${f(x.off.cpuPerDoc, 3)} / ${f(x.on.cpuPerDoc, 3)} | ${f(x.off.workerCores)} / ${f(x.on.workerCores)} | ${x.off.workerPeakRssMb.toFixed(0)} / ${x.on.workerPeakRssMb.toFixed(0)} |`,
  );
  return `# Tracing overhead on ingest

Generated ${r.generatedAt} on ${r.machine.cores} × ${r.machine.cpuModel} (${r.machine.memoryGb} GB), Node ${r.machine.node}, commit ${r.machine.gitCommit}. Load average before / after: ${r.machine.loadAverageBefore.map((l) => l.toFixed(2)).join(' / ')} → ${(r.machine.loadAverageAfter ?? []).map((l) => l.toFixed(2)).join(' / ')}.

Corpus: ${r.corpus.source}: ${r.corpus.documents} documents (${r.corpus.chunks} chunks), ingested through Kafka → Temporal → embed → Qdrant with \`OTEL_TRACES_ENABLED=false\` and \`true\`, each on fresh \`embedstream run --role worker\` and \`--role consumer\` processes, new topics and a new collection; timed from the first publish until Qdrant holds every chunk. Both modes run in every repetition, in alternating order; the ratio is per repetition.

| rep | off docs/s | on docs/s | on / off | CPU s per document, worker + consumer (off / on) | worker cores (off / on) | worker peak RSS MB (off / on) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
| median | ${f(r.median.offDocsPerSec)} | ${f(r.median.onDocsPerSec)} | ${f(r.median.ratio, 3)}× | | | |

Tracing costs **${f(r.median.overheadPercent, 1)} %** of ingest throughput (median of the per-repetition ratios). [The bottleneck report of the last traced ingest](${reportFile}).
`;
}

async function main(): Promise<void> {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success)
    throw new Error('BENCH_QUICK is 0 or 1; BENCH_DOCS and BENCH_REPS are positive integers');
  const quick = parsed.data.BENCH_QUICK === '1';
  const documents = parsed.data.BENCH_DOCS ?? (quick ? 120 : 600);
  const repetitions = parsed.data.BENCH_REPS ?? (quick ? 1 : 3);

  const config = loadConfig();
  const machine = machineInfo(ROOT);
  const corpus = loadBenchCorpus({ documents, loadDocuments: 1, loadBatches: 0, queries: 0 });
  const tokenizer = loadTokenizer(resolveModelFiles(config).tokenizerPath, { maxTokens: config.maxTokens });
  const chunks = (await chunkTexts(tokenizer, corpus.documents, config)).length;
  log(`${documents} documents (${chunks} chunks), ${repetitions} repetition(s)`);

  const kafka = createKafka(config, { clientIdSuffix: '-bench', logLevel: 'error' });
  const sampler = new ProcessSampler(500);
  sampler.start();
  let lastTraced: { startMs: number; endMs: number } | undefined;

  const ingest = async (rep: number, mode: Mode): Promise<IngestRun> => {
    const pipeline = await startPipeline(config, kafka, sampler, {
      OTEL_TRACES_ENABLED: mode === 'on' ? 'true' : 'false',
    });
    const producer = new MessageProducer(kafka);
    try {
      await producer.connect();
      log(`rep ${rep}: tracing ${mode}`);
      const from = sampler.now();
      const startMs = Date.now();
      const started = performance.now();
      await publishDocuments(producer, pipeline.config.topicDocuments, corpus.documents);
      const done = await waitForPoints(pipeline, chunks, { timeoutMs: INGEST_TIMEOUT_MS });
      const seconds = (done - started) / 1000;
      const to = sampler.now();
      // The workflows finish their last steps after the points are visible; spans made in a
      // workflow leave when it completes, so its worker stays up a moment longer (outside the timing).
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      if (mode === 'on') lastTraced = { startMs, endMs: Date.now() };
      const cpu = (label: string) => {
        const s = latest(sampler, label);
        return s ? cpuSecondsUsed(s, from, to) : Number.NaN;
      };
      const worker = latest(sampler, 'worker');
      const run: IngestRun = {
        mode,
        seconds,
        docsPerSec: documents / seconds,
        cpuPerDoc: (cpu('worker') + cpu('consumer')) / documents,
        workerCores: worker ? coresUsed(worker, from, to) : Number.NaN,
        workerPeakRssMb: peakRss(sampler, 'worker', from, to),
      };
      log(`rep ${rep}: tracing ${mode}: ${run.docsPerSec.toFixed(2)} docs/s (${seconds.toFixed(1)} s)`);
      return run;
    } finally {
      await producer.disconnect();
      await pipeline.stop();
    }
  };

  const runs: TracingReport['runs'] = [];
  for (let rep = 1; rep <= repetitions; rep++) {
    const order: Mode[] = rep % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
    const result: Partial<Record<Mode, IngestRun>> = {};
    for (const mode of order) result[mode] = await ingest(rep, mode);
    const { off, on } = result as Record<Mode, IngestRun>;
    runs.push({ rep, off, on, ratio: on.docsPerSec / off.docsPerSec });
  }
  sampler.stop();
  machine.loadAverageAfter = os.loadavg();

  const ratio = median(runs.map((r) => r.ratio));
  const report: TracingReport = {
    generatedAt: new Date().toISOString(),
    machine,
    corpus: { source: corpus.source, documents, chunks },
    runs,
    median: {
      offDocsPerSec: median(runs.map((r) => r.off.docsPerSec)),
      onDocsPerSec: median(runs.map((r) => r.on.docsPerSec)),
      ratio,
      overheadPercent: (1 - ratio) * 100,
    },
  };

  fs.mkdirSync(OUT, { recursive: true });
  const base = quick ? 'tracing-quick' : 'tracing';
  fs.writeFileSync(path.join(OUT, `${base}.json`), `${JSON.stringify(report, null, 1)}\n`);
  const markdown = renderMarkdownTable(report, `${base}-report.md`);
  fs.writeFileSync(path.join(OUT, `${base}.md`), markdown);
  process.stdout.write(markdown);

  if (lastTraced) {
    await new Promise((r) => setTimeout(r, INDEX_WAIT_MS));
    const window = { since: `${Math.ceil((lastTraced.endMs - lastTraced.startMs) / 1000)}s`, ...lastTraced };
    const traces = await new JaegerClient(config.jaegerQueryUrl).traces({
      services: [],
      startMs: window.startMs,
      endMs: window.endMs,
      limit: 5000,
    });
    const bottlenecks: BottleneckReport = buildReport(traces, window);
    fs.writeFileSync(path.join(OUT, `${base}-report.svg`), `${stageChartSvg(bottlenecks.analysis.stages)}\n`);
    fs.writeFileSync(path.join(OUT, `${base}-report.md`), renderMarkdown(bottlenecks, `${base}-report.svg`));
    log(`bottleneck report of the last traced ingest: ${traces.length} traces`);
  }
  log(`wrote ${path.join(OUT, base)}{.json,.md,-report.md,-report.svg}`);
}

await main();
