import type { PipelineReport } from './pipeline-report.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const WIDTH = 900;
const LEFT = 170;
const PLOT_W = WIDTH - LEFT - 40;

// One colour per sampled process label; phases are shaded in pale tones behind the memory lines.
const PROCESS_COLORS: Record<string, string> = {
  worker: '#dc2626',
  consumer: '#2563eb',
  kafka: '#6b7280',
  temporal: '#7c3aed',
  qdrant: '#16a34a',
  jaeger: '#a16207',
};
const BENCH_COLOR = '#f59e0b';

/** About five round ticks from 0 to `max`: steps of 1, 2 or 5 times a power of ten. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
}
const PHASE_COLORS = { engine: '#fde68a', ingest: '#bfdbfe', idle: '#d1fae5', loaded: '#fecaca' } as const;

function throughputPanel(r: PipelineReport, top: number): string[] {
  const o = r.overall;
  const rows = [
    {
      name: 'engine alone',
      value: o.engineDocsPerSec,
      runs: r.repetitions.map((x) => x.engineDocsPerSec),
      color: BENCH_COLOR,
    },
    {
      name: 'pipeline',
      value: o.pipelineDocsPerSec,
      runs: r.repetitions.map((x) => x.pipelineDocsPerSec),
      color: '#2563eb',
    },
  ];
  const max = Math.max(...rows.flatMap((x) => [x.value, ...x.runs])) * 1.1;
  const scale = PLOT_W / max;
  const out = [
    `<text x="${LEFT}" y="${top + 16}" font-weight="bold">Ingest throughput, docs/s (median of ${r.repetitions.length}; dots: repetitions): pipeline / engine ${o.throughputRatio.toFixed(2)}×, target ≥ 0.90×</text>`,
  ];
  rows.forEach((row, i) => {
    const y = top + 30 + i * 34;
    out.push(
      `<text x="${LEFT - 8}" y="${y + 17}" text-anchor="end">${esc(row.name)}</text>`,
      `<rect x="${LEFT}" y="${y}" width="${(row.value * scale).toFixed(1)}" height="24" fill="${row.color}" opacity="0.85"/>`,
      `<text x="${LEFT + row.value * scale + 6}" y="${y + 17}">${row.value.toFixed(2)}</text>`,
      ...row.runs.map(
        (v) => `<circle cx="${(LEFT + v * scale).toFixed(1)}" cy="${y + 12}" r="3" fill="#111"/>`,
      ),
    );
  });
  return out;
}

function latencyPanel(r: PipelineReport, top: number): string[] {
  const o = r.overall;
  const height = 170;
  const groups = ['p50', 'p95', 'p99'] as const;
  // Log scale: idle figures of tens of ms and loaded tails of seconds both stay readable.
  const lo = 10;
  const hi = Math.max(200, o.loaded.p99, o.idle.p99 * 2) * 1.5;
  const y = (ms: number) =>
    top +
    30 +
    height -
    ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * height;
  const groupW = PLOT_W / groups.length;
  const out = [
    `<text x="${LEFT}" y="${top + 16}" font-weight="bold">Query latency through Kafka, ms, log scale (median of ${r.repetitions.length}): idle (green) and under bulk ingest (red)</text>`,
  ];
  for (let decade = lo; decade < hi; decade *= 10) {
    for (const ms of [decade, decade * 2, decade * 5].filter((v) => v < hi)) {
      out.push(
        `<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" stroke="#e5e7eb"/>`,
        `<text x="${LEFT - 8}" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end" fill="#555">${ms}</text>`,
      );
    }
  }
  groups.forEach((g, i) => {
    const x = LEFT + i * groupW + groupW * 0.2;
    const bw = groupW * 0.28;
    for (const [j, phase, color] of [
      [0, 'idle', '#16a34a'],
      [1, 'loaded', '#dc2626'],
    ] as const) {
      const v = o[phase][g];
      out.push(
        `<rect x="${(x + j * bw).toFixed(1)}" y="${y(v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(lo) - y(v)).toFixed(1)}" fill="${color}" opacity="0.8"/>`,
        `<text x="${(x + j * bw + bw / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle">${v.toFixed(0)}</text>`,
      );
    }
    out.push(
      `<text x="${(x + bw).toFixed(1)}" y="${(y(lo) + 16).toFixed(1)}" text-anchor="middle">${g}</text>`,
    );
  });
  const line = (ms: number, color: string, dash: string, label: string, anchorLeft: boolean) => [
    `<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" stroke="${color}" stroke-dasharray="${dash}"/>`,
    `<text x="${anchorLeft ? LEFT + 4 : LEFT + PLOT_W}" y="${(y(ms) - 4).toFixed(1)}" text-anchor="${anchorLeft ? 'start' : 'end'}" fill="${color}" font-size="11">${label}</text>`,
  ];
  out.push(
    ...line(100, '#111', '5 4', 'idle p99 target: 100 ms', true),
    ...line(o.idle.p99 * 2, '#dc2626', '2 3', 'loaded p99 target: 2 × idle p99', false),
  );
  return out;
}

function memoryPanel(r: PipelineReport, top: number): string[] {
  const height = 200;
  const series = r.raw.processes.filter((s) => s.samples.length > 1);
  const tMax = Math.max(1, ...series.flatMap((s) => s.samples.map((x) => x.t)));
  const mbMax = Math.max(1100, ...series.flatMap((s) => s.samples.map((x) => x.rssMb))) * 1.05;
  const x = (t: number) => LEFT + (t / tMax) * PLOT_W;
  const y = (mb: number) => top + 30 + height - (mb / mbMax) * height;
  const out = [
    `<text x="${LEFT}" y="${top + 16}" font-weight="bold">Resident memory (VmRSS), MB, over the run (minutes)</text>`,
  ];
  const band = (from: number, to: number, color: string) =>
    `<rect x="${x(from).toFixed(1)}" y="${y(mbMax).toFixed(1)}" width="${Math.max(0.5, x(to) - x(from)).toFixed(1)}" height="${height}" fill="${color}" opacity="0.6"/>`;
  for (const run of r.raw.runs) {
    out.push(
      ...run.engines.map((e) => band(e.from, e.to, PHASE_COLORS.engine)),
      band(run.pipeline.from, run.pipeline.to, PHASE_COLORS.ingest),
      band(run.pipeline.idle.from, run.pipeline.idle.to, PHASE_COLORS.idle),
      band(run.pipeline.loaded.from, run.pipeline.loaded.to, PHASE_COLORS.loaded),
    );
  }
  for (const mb of ticks(mbMax)) {
    out.push(
      `<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y(mb).toFixed(1)}" y2="${y(mb).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${LEFT - 8}" y="${(y(mb) + 4).toFixed(1)}" text-anchor="end" fill="#555">${mb}</text>`,
    );
  }
  for (let min = 0; min * 60 <= tMax; min += Math.max(1, Math.ceil(tMax / 60 / 10))) {
    out.push(
      `<text x="${x(min * 60).toFixed(1)}" y="${top + 30 + height + 16}" text-anchor="middle" fill="#555">${min}</text>`,
    );
  }
  out.push(
    `<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y(1024).toFixed(1)}" y2="${y(1024).toFixed(1)}" stroke="#dc2626" stroke-dasharray="5 4"/>`,
    `<text x="${LEFT + 4}" y="${(y(1024) - 4).toFixed(1)}" fill="#dc2626">worker target 1 GB</text>`,
  );
  for (const s of series) {
    const color = PROCESS_COLORS[s.label] ?? BENCH_COLOR;
    const points = s.samples.map((p) => `${x(p.t).toFixed(1)},${y(p.rssMb).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
  }
  const labels = [...new Set(series.map((s) => s.label))];
  labels.forEach((label, i) => {
    const lx = 10 + (i % 4) * 220;
    const ly = top + 30 + height + 36 + Math.floor(i / 4) * 16;
    out.push(
      `<rect x="${lx}" y="${ly - 5}" width="14" height="3" fill="${PROCESS_COLORS[label] ?? BENCH_COLOR}"/>`,
      `<text x="${lx + 20}" y="${ly}" font-size="11">${esc(label)}</text>`,
    );
  });
  const phaseY = top + 30 + height + 36 + Math.ceil(labels.length / 4) * 16;
  const phases = [
    ['engine alone', PHASE_COLORS.engine],
    ['pipeline ingest', PHASE_COLORS.ingest],
    ['idle queries', PHASE_COLORS.idle],
    ['queries under bulk ingest', PHASE_COLORS.loaded],
  ] as const;
  phases.forEach(([name, color], i) => {
    const lx = 10 + i * 220;
    out.push(
      `<rect x="${lx}" y="${phaseY - 9}" width="14" height="10" fill="${color}"/>`,
      `<text x="${lx + 20}" y="${phaseY}" font-size="11">${name} (shaded)</text>`,
    );
  });
  return out;
}

/** Three panels: throughput (engine alone against the pipeline), latency idle against loaded, and memory over the run. */
export function renderPipelineSvg(r: PipelineReport): string {
  const parts = [...throughputPanel(r, 10), ...latencyPanel(r, 120), ...memoryPanel(r, 360)];
  const height = 680;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
