import type { StageStats } from './analysis.ts';
import { formatMs, formatShare } from './bottleneck-report.ts';

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

// Colour-blind-safe pair: self time (dark) against the rest of the span (light).
const SELF = '#1f5f8b';
const CHILDREN = '#a9c8de';
const WHISKER = '#c0392b';

/**
 * A horizontal bar per stage, largest self time first: the dark part is the stage's share of all
 * self time (where the time really goes), the right column its p50 and p95–p99 latency on a log
 * scale. Self-contained SVG, no scripts or fonts to fetch.
 */
export function stageChartSvg(stages: readonly StageStats[], maxStages = 14): string {
  const rows = stages.slice(0, maxStages);
  const labelW = 260;
  const barW = 360;
  const gap = 30;
  const latW = 300;
  const rowH = 26;
  const top = 48;
  const width = labelW + barW + gap + latW + 20;
  const height = top + rows.length * rowH + 40;
  const maxShare = Math.max(0.01, ...rows.map((s) => s.selfShare));

  const lats = rows.flatMap((s) => [s.p50Us, s.p99Us]).filter((v) => v > 0);
  // Whole decades, so the ticks land on 1, 10, 100 ms.
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...lats, 1000))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(10, ...lats))));
  const latX = (us: number): number => labelW + barW + gap + ((Math.log10(Math.max(us, 1)) - lo) / (hi - lo)) * latW;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${labelW}" y="20" font-weight="600">Share of traced time (self time)</text>`,
    `<text x="${labelW + barW + gap}" y="20" font-weight="600">Latency: p50 ● and p95–p99 (log scale)</text>`,
  ];
  // Decade ticks of the latency axis, drawn first so the marks sit on top.
  const axisY = top + rows.length * rowH + 8;
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
    const x = latX(10 ** d);
    if (x < labelW + barW + gap - 1 || x > width) continue;
    parts.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${axisY}" stroke="#ddd"/>`,
      `<text x="${x.toFixed(1)}" y="${axisY + 14}" text-anchor="middle" fill="#555">${formatMs(10 ** d)} ms</text>`,
    );
  }
  rows.forEach((s, i) => {
    const y = top + i * rowH;
    const selfLen = (s.selfShare / maxShare) * barW;
    const name = s.name.length > 38 ? `${s.name.slice(0, 37)}…` : s.name;
    parts.push(
      `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${escapeXml(name)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${barW}" height="${rowH - 8}" fill="${CHILDREN}" opacity="0.25"/>`,
      `<rect x="${labelW}" y="${y + 3}" width="${selfLen.toFixed(1)}" height="${rowH - 8}" fill="${SELF}"><title>${escapeXml(s.name)}: ${formatShare(s.selfShare)} of self time, ${s.count} spans</title></rect>`,
      `<text x="${labelW + Math.min(selfLen + 4, barW - 40)}" y="${y + 14}" fill="${selfLen > barW - 44 ? '#fff' : '#222'}">${formatShare(s.selfShare)}</text>`,
    );
    if (s.p99Us > 0) {
      parts.push(
        `<line x1="${latX(s.p95Us).toFixed(1)}" x2="${latX(s.p99Us).toFixed(1)}" y1="${y + 12}" y2="${y + 12}" stroke="${WHISKER}" stroke-width="3"/>`,
        `<circle cx="${latX(s.p50Us).toFixed(1)}" cy="${y + 12}" r="4" fill="${SELF}"><title>p50 ${formatMs(s.p50Us)} ms, p95 ${formatMs(s.p95Us)} ms, p99 ${formatMs(s.p99Us)} ms</title></circle>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
