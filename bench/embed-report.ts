import type { QueryLaneResult } from './embed-query-lane.ts';
import type { Int8Quality } from './embed-int8.ts';
import type { RunResult } from './embed-scenarios.ts';

export interface ScenarioSummary {
  name: string;
  group: 'raw' | 'naive' | 'fixed' | 'adaptive' | 'sessions' | 'transformers' | 'int8';
  runs: RunResult[];
  median: RunResult;
}

export interface Target {
  name: string;
  ratio: number;
  target: number;
  met: boolean;
}

export interface BenchReport {
  generatedAt: string;
  quick: boolean;
  machine: {
    cpus: number;
    cpuModel: string;
    simd: string[];
    node: string;
    onnxruntime: string;
    threads: number;
    loadAverage: number[];
  };
  corpus: {
    texts: number;
    source: string;
    meanTokens: number;
    realTokens: number;
    longestTokens: number;
    atMaxTokens: number;
  };
  repetitions: number;
  slowRepetitions: number;
  scenarios: ScenarioSummary[];
  targets: Target[];
  /** docs/s of the adaptive engine with its default bulk sessions over one session with every thread. */
  bulkSessionsRatio?: number;
  int8?: { speedup: number; quality: Int8Quality };
  queryLane: QueryLaneResult[];
}

const f1 = (n: number) => n.toFixed(1);
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderMarkdown(r: BenchReport): string {
  const naive = r.scenarios.find((s) => s.group === 'naive')?.median.docsPerSec ?? Number.NaN;
  const rows = r.scenarios.map((s) => {
    const m = s.median;
    const pad = m.paddingRatio === undefined ? '–' : `${(m.paddingRatio * 100).toFixed(1)} %`;
    const extra =
      m.finalBudget !== undefined && (s.group === 'adaptive' || s.group === 'sessions' || s.group === 'int8')
        ? ` (ended at ${m.finalBudget})`
        : '';
    return `| ${s.name}${extra} | ${f1(m.docsPerSec)} | ${f0(m.realTokensPerSec)} | ${pad} | ${(m.docsPerSec / naive).toFixed(2)}× | ${s.runs.map((x) => f1(x.docsPerSec)).join(', ')} |`;
  });
  const targets = r.targets.map(
    (t) => `| ${t.name} | ${t.ratio.toFixed(2)} | ≥ ${t.target} | ${t.met ? 'met' : '**missed**'} |`,
  );
  const lanes = r.queryLane.map(
    (q) =>
      `| ${q.lane} | ${f1(q.idleP50Ms)} | ${f1(q.p50Ms)} | ${f1(q.p99Ms)} | ${f1(q.maxMs)} | ${q.queries} | ${f1(q.bulkDocsPerSec)} |`,
  );
  const int8 = r.int8
    ? [
        `int8 (dynamically quantized) is **${r.int8.speedup.toFixed(2)}×** the adaptive fp32 engine's docs/s. Cosine with fp32 over`,
        `${r.int8.quality.texts} corpus texts: mean ${r.int8.quality.meanCosine.toFixed(4)}, 1st percentile ${r.int8.quality.p1Cosine.toFixed(4)},`,
        `worst ${r.int8.quality.minCosine.toFixed(4)}` +
          (r.int8.quality.minCosineVsReference !== undefined
            ? `; worst cosine with the sentence-transformers fixture ${r.int8.quality.minCosineVsReference.toFixed(4)}.`
            : '.'),
      ].join('\n')
    : 'int8: no model-int8.onnx in the model cache (run `embedstream model pull`), not measured.';
  return `# Embedding engine benchmark

${r.quick ? '**Quick smoke run (BENCH_QUICK=1): small corpus, one repetition; not representative.**\n\n' : ''}Generated ${r.generatedAt} on ${r.machine.cpus} × ${r.machine.cpuModel} (${r.machine.simd.join(', ') || 'SIMD flags unknown'}), Node ${r.machine.node}, onnxruntime-node ${r.machine.onnxruntime}, ${r.machine.threads} intra-op threads (load average at start ${r.machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')}).

Corpus: ${r.corpus.texts} texts (${r.corpus.source}), ${f0(r.corpus.realTokens)} real tokens, ${f1(r.corpus.meanTokens)} per text on average, longest ${r.corpus.longestTokens}, ${r.corpus.atMaxTokens} cut at the maximum. Figures are medians of ${r.repetitions} runs (${r.slowRepetitions} for the two slow baselines); each run waits for the machine's load average to fall below cores + 1 first (up to 3 minutes; the load at start is in the JSON); repetitions are interleaved across scenarios (every other one in reverse order) so load changes on the shared machine hit all of them alike. Each engine run starts a fresh embedder (the adaptive controller starts cold) with dedup off, and times one embedDocuments call over the whole corpus, tokenization included.

| scenario | docs/s | real tokens/s | padding | vs naive | runs (docs/s) |
| --- | ---: | ---: | ---: | ---: | --- |
${rows.join('\n')}

| target | ratio | wanted | |
| --- | ---: | ---: | --- |
${targets.join('\n')}
${r.bulkSessionsRatio !== undefined ? `\nThe default bulk sessions (EMBED_BULK_SESSIONS, the threads split between them, batches side by side) are **${r.bulkSessionsRatio.toFixed(2)}×** one session with every thread.\n` : ''}
${int8}

## Query lane: latency of single queries while a bulk embed of the corpus runs

| lane | idle p50 ms | p50 ms | p99 ms | max ms | queries | bulk docs/s meanwhile |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${lanes.join('\n')}

![docs/s per scenario](embed.svg)
`;
}

const COLORS: Record<ScenarioSummary['group'], string> = {
  raw: '#6b7280',
  naive: '#dc2626',
  fixed: '#60a5fa',
  adaptive: '#16a34a',
  sessions: '#0d9488',
  transformers: '#f59e0b',
  int8: '#7c3aed',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A horizontal bar chart of median docs/s per scenario. */
export function renderSvg(r: BenchReport): string {
  const barH = 22;
  const gap = 8;
  const left = 230;
  const width = 760;
  const top = 40;
  const max = Math.max(...r.scenarios.map((s) => s.median.docsPerSec));
  const scale = (width - left - 80) / max;
  const height = top + r.scenarios.length * (barH + gap) + 30;
  const bars = r.scenarios.map((s, i) => {
    const y = top + i * (barH + gap);
    const w = Math.max(1, s.median.docsPerSec * scale);
    return [
      `<text x="${left - 8}" y="${y + barH * 0.7}" text-anchor="end">${esc(s.name)}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[s.group]}"/>`,
      `<text x="${left + w + 6}" y="${y + barH * 0.7}">${f1(s.median.docsPerSec)}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="22" font-size="15" font-weight="bold">Embedding throughput, docs/s (median of ${r.repetitions} runs, ${r.corpus.texts} texts)</text>
${bars.join('\n')}
</svg>
`;
}
