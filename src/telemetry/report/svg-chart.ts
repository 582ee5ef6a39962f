import type { StageStats } from './analysis.ts';
import { formatMs, formatShare } from './bottleneck-report.ts';

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

// Colour-blind-safe pair: self time (dark) against the rest of the span (light).
const SELF = '#1f5f8b';
const CHILDREN = '#a9c8de';
const WHISKER = '#c0392b';

/** Tick label of a latency axis decade: 0.1 ms, 1 ms, 10 ms, 100 ms, 1 s, 10 s. */
function tickLabel(us: number): string {
  return us >= 1_000_000 ? `${us / 1_000_000} s` : `${us / 1000} ms`;
}

/**
 * A horizontal bar per stage, largest first: the stage's share of the journeys' wall time (the
 * instants it was the innermost open span: where the time really goes); on the right its latency on a log scale: p50
 * (dot), p95 (red tick) and p99 (end of the line). Self-contained SVG: no scripts, no fonts fetched.
 */
export function stageChartSvg(stages: readonly StageStats[], maxStages = 14): string {
  const rows = stages.slice(0, maxStages);
  const labelW = 260;
  const barW = 360;
  const gap = 40;
  const latW = 300;
  const rowH = 26;
  const top = 48;
  const width = labelW + barW + gap + latW + 40;
  const height = top + rows.length * rowH + 40;
  const maxShare = Math.max(0.01, ...rows.map((s) => s.wallShare));

  const lats = rows.flatMap((s) => [s.p50Us, s.p99Us]).filter((v) => v > 0);
  // Whole decades, so the ticks land on 1, 10, 100 ms.
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...lats, 1000))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(10, ...lats))));
  const latLeft = labelW + barW + gap;
  const latX = (us: number): number => latLeft + ((Math.log10(Math.max(us, 1)) - lo) / (hi - lo)) * latW;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, 'Segoe UI', 'DejaVu Sans', sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${labelW}" y="20" font-weight="600">Share of wall time (innermost open span)</text>`,
    `<text x="${latLeft}" y="20" font-weight="600">Latency (log scale): ● p50  <tspan fill="${WHISKER}">|</tspan> p95  ─ to p99</text>`,
  ];
  // Decade grid of the latency axis, drawn first so the marks sit on top.
  const axisY = top + rows.length * rowH + 8;
  for (let d = lo; d <= hi; d++) {
    const x = latX(10 ** d).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${axisY}" stroke="#ddd"/>`,
      `<text x="${x}" y="${axisY + 14}" text-anchor="middle" fill="#555">${tickLabel(10 ** d)}</text>`,
    );
  }
  rows.forEach((s, i) => {
    const y = top + i * rowH;
    const mid = y + 12;
    const selfLen = (Math.min(s.wallShare, maxShare) / maxShare) * barW;
    const shown = s.shared ? `${s.name} (own traces)` : s.name;
    const name = shown.length > 38 ? `${shown.slice(0, 37)}…` : shown;
    parts.push(
      `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${escapeXml(name)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${barW}" height="${rowH - 8}" fill="${CHILDREN}" opacity="0.25"/>`,
      `<rect x="${labelW}" y="${y + 3}" width="${selfLen.toFixed(1)}" height="${rowH - 8}" fill="${SELF}"><title>${escapeXml(s.name)}: ${formatShare(s.wallShare)} of the journeys' wall time, ${s.count} spans</title></rect>`,
      // Inside the bar when it has room for the figure, else just after it.
      selfLen > 64
        ? `<text x="${(labelW + selfLen - 4).toFixed(1)}" y="${y + 16}" text-anchor="end" fill="#fff">${formatShare(s.wallShare)}</text>`
        : `<text x="${(labelW + selfLen + 4).toFixed(1)}" y="${y + 16}" fill="#222">${formatShare(s.wallShare)}</text>`,
    );
    if (s.p99Us > 0) {
      const [x50, x95, x99] = [latX(s.p50Us), latX(s.p95Us), latX(s.p99Us)].map((x) => x.toFixed(1));
      parts.push(
        `<g><title>p50 ${formatMs(s.p50Us)} ms, p95 ${formatMs(s.p95Us)} ms, p99 ${formatMs(s.p99Us)} ms</title>`,
        `<line x1="${x50}" x2="${x99}" y1="${mid}" y2="${mid}" stroke="#555" stroke-width="1.5"/>`,
        `<line x1="${x99}" x2="${x99}" y1="${mid - 4}" y2="${mid + 4}" stroke="#555" stroke-width="1.5"/>`,
        `<line x1="${x95}" x2="${x95}" y1="${mid - 7}" y2="${mid + 7}" stroke="${WHISKER}" stroke-width="3"/>`,
        `<circle cx="${x50}" cy="${mid}" r="4.5" fill="${SELF}"/></g>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
