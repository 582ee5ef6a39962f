import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/telemetry/report/bottleneck-report.ts';
import { renderHtml, renderMarkdown, renderText } from '../../src/telemetry/report/render-report.ts';
import { stageChartSvg } from '../../src/telemetry/report/svg-chart.ts';
import type { ReportSpan } from '../../src/telemetry/report/trace-model.ts';

function span(
  traceId: string,
  spanId: string,
  name: string,
  startUs: number,
  durationUs: number,
  parentSpanId?: string,
): ReportSpan {
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name,
    service: 'embedstream-worker',
    startUs,
    durationUs,
    error: false,
    attributes: {},
    linkedTraceIds: [],
  };
}

// Two traces: ingest 100 ms with embed.batch 75 ms inside, and ingest 20 ms with embed.batch 15 ms.
const traces = [
  {
    traceId: 'aaaa',
    spans: [span('aaaa', '1', 'ingest', 0, 100_000), span('aaaa', '2', 'embed.batch', 0, 75_000, '1')],
  },
  {
    traceId: 'bbbb',
    spans: [span('bbbb', '3', 'ingest', 0, 20_000), span('bbbb', '4', 'embed.batch', 5000, 15_000, '3')],
  },
];
const report = buildReport(traces, { since: '10m', startMs: 0, endMs: 600_000 }, 5, new Date(0));

describe('report renderers', () => {
  it('when rendered as text, then recommendations, the stage table and the slowest trace id appear', () => {
    const text = renderText(report);
    // embed.batch is innermost for 75 + 15 of 120 ms: 75 %
    expect(text).toContain('Embedding holds 75 % of the wall time');
    expect(text).toMatch(/embed\.batch\s+worker\s+2\s+15\.0\s+75\.0\s+75\.0\s+75\.0 %\s+90\.0\s+0/);
    expect(text.indexOf('aaaa')).toBeLessThan(text.indexOf('bbbb'));
  });

  it('when rendered as markdown, then the chart file is referenced and the tables are pipe tables', () => {
    const md = renderMarkdown(report, 'report.svg');
    expect(md).toContain('![Share of traced time and latency per stage](report.svg)');
    expect(md).toContain(
      '| Stage | Service | Count | p50 ms | p95 ms | p99 ms | Wall share | Self ms | Errors |',
    );
    // Every row of every table has as many cells as its header.
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    const tables = md.split('\n\n').filter((block) => block.startsWith('|'));
    for (const table of tables) {
      const lines = table.split('\n').filter(Boolean);
      expect(new Set(lines.map(cells)).size).toBe(1);
    }
    expect(md).toContain('| embed.batch | worker | 2 | 15.0 | 75.0 | 75.0 | 75.0 % | 90.0 | 0 |');
    expect(md).toContain('| ingest | worker | 2 | 20.0 | 100 | 100 | 25.0 % | 30.0 | 0 |');
  });

  it('when rendered as HTML, then it is one file with the SVG inline and nothing fetched or run', () => {
    const html = renderHtml(report);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('<td class="n">75.0 %</td>');
  });
});

describe('stageChartSvg', () => {
  it('when drawn, then the largest self share fills the bar and the others are proportional', () => {
    const svg = stageChartSvg(report.analysis.stages);
    const widths = [
      ...svg.matchAll(/<rect x="260" y="\d+" width="([\d.]+)" height="18" fill="#1f5f8b"/g),
    ].map((m) => Number(m[1]));
    // 75 % → full 360 px; 25 % → a third of it.
    expect(widths).toEqual([360, 120]);
  });

  it('when a stage name holds markup characters, then it is escaped', () => {
    const svg = stageChartSvg([{ ...report.analysis.stages[0]!, name: 'a<b>&c' }]);
    expect(svg).toContain('a&lt;b&gt;&amp;c');
    expect(svg).not.toContain('a<b>');
  });
});
