import type { BottleneckReport } from './bottleneck-report.ts';
import {
  costTable,
  markdownTable,
  slowestTable,
  stageTable,
  summaryLine,
  textTable,
  type Table,
} from './report-tables.ts';
import { stageChartSvg } from './svg-chart.ts';

const INTRO =
  'Per stage (span name): latency percentiles of its spans; wall share, the share of the journeys’ wall time during ' +
  'which the stage was the innermost open span (parallel spans share an instant, so shares add up to 1 with the ' +
  'time no span was open); self time, its spans’ durations minus their children’s, summed. Stages marked “own ' +
  'traces” run once for many journeys (an embedding batch): their share compares their time with the journeys’.';

/** For a terminal: the recommendations first, since that is what a person acts on. */
export function renderText(report: BottleneckReport): string {
  const cost = costTable(report);
  return [
    summaryLine(report),
    '',
    'Recommendations:',
    ...report.recommendations.map((r) => `  • ${r.text}`),
    '',
    textTable(stageTable(report)),
    '',
    'Slowest traces:',
    textTable(slowestTable(report)),
    ...(cost ? ['', textTable(cost)] : []),
    '',
  ].join('\n');
}

/** Markdown; the chart is a separate SVG file (`chartFile`) since Markdown viewers do not inline SVG. */
export function renderMarkdown(report: BottleneckReport, chartFile: string): string {
  const cost = costTable(report);
  return [
    '# Pipeline bottleneck report',
    '',
    summaryLine(report),
    '',
    '## Recommendations',
    '',
    ...report.recommendations.map((r) => `- ${r.text}`),
    '',
    `![Share of traced time and latency per stage](${chartFile})`,
    '',
    '## Stages',
    '',
    INTRO,
    '',
    markdownTable(stageTable(report)),
    '',
    '## Slowest traces',
    '',
    markdownTable(slowestTable(report)),
    ...(cost ? ['', '## Cost figures', '', markdownTable(cost)] : []),
    '',
  ].join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function htmlTable(t: Table): string {
  const head = t.headers
    .map((h, i) => `<th${t.numeric[i] ? ' class="n"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${t.numeric[i] ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** One self-contained HTML file: styles and the SVG chart inline, nothing fetched. */
export function renderHtml(report: BottleneckReport): string {
  const cost = costTable(report);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pipeline bottleneck report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid #e3e3e3;text-align:left}
th{background:#f4f6f8}.n{text-align:right;font-variant-numeric:tabular-nums}
.rec{background:#fff8e1;border-left:4px solid #f0ad4e;padding:.6rem 1rem;margin:.5rem 0}
code{font-size:12px}
</style></head><body>
<h1>Pipeline bottleneck report</h1>
<p>${escapeHtml(summaryLine(report))}</p>
<h2>Recommendations</h2>
${report.recommendations.map((r) => `<div class="rec">${escapeHtml(r.text)}</div>`).join('\n')}
<figure>${stageChartSvg(report.analysis.stages)}</figure>
<h2>Stages</h2>
<p>${escapeHtml(INTRO)}</p>
${htmlTable(stageTable(report))}
<h2>Slowest traces</h2>
${htmlTable(slowestTable(report))}
${cost ? `<h2>Cost figures</h2>\n${htmlTable(cost)}` : ''}
<p><small>Generated ${escapeHtml(report.generatedAt)}.</small></p>
</body></html>
`;
}
