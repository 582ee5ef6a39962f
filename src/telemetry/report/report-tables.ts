import { formatMs, formatShare, type BottleneckReport } from './bottleneck-report.ts';

/** A table as rows of cells; the text, markdown and HTML renderers lay it out their own way. */
export interface Table {
  headers: string[];
  /** true: right-aligned (figures). */
  numeric: boolean[];
  rows: string[][];
}

export function stageTable(report: BottleneckReport): Table {
  return {
    headers: ['Stage', 'Service', 'Count', 'p50 ms', 'p95 ms', 'p99 ms', 'Wall share', 'Self ms', 'Errors'],
    numeric: [false, false, true, true, true, true, true, true, true],
    rows: report.analysis.stages.map((s) => [
      s.shared ? `${s.name} (own traces)` : s.name,
      s.services.map((x) => x.replace(/^embedstream-/, '')).join(', '),
      String(s.count),
      formatMs(s.p50Us),
      formatMs(s.p95Us),
      formatMs(s.p99Us),
      formatShare(s.wallShare),
      formatMs(s.selfUs),
      String(s.errors),
    ]),
  };
}

export function slowestTable(report: BottleneckReport): Table {
  return {
    headers: ['Trace id', 'Root span', 'Service', 'Wall ms', 'Spans', 'Most time in'],
    numeric: [false, false, false, true, true, false],
    rows: report.analysis.slowest.map((t) => [
      t.traceId,
      t.rootName,
      t.service,
      formatMs(t.wallUs),
      String(t.spans),
      `${t.dominantStage} (${formatMs(t.dominantUs)} ms)`,
    ]),
  };
}

export function costTable(report: BottleneckReport): Table | undefined {
  const rows: string[][] = [];
  const e = report.embedding;
  if (e) {
    rows.push(
      ['Embedding batches', `${e.batches} (${e.meanTextsPerBatch.toFixed(1)} texts each)`],
      ['Tokens real / padded', `${e.realTokens} / ${e.paddedTokens}`],
      ['Padding ratio', formatShare(e.paddingRatio)],
    );
    if (e.meanQueuedMs !== null && e.meanRunMs !== null) {
      rows.push([
        'Mean queue wait / inference',
        `${e.meanQueuedMs.toFixed(1)} ms / ${e.meanRunMs.toFixed(1)} ms`,
      ]);
    }
    if (e.maxBudgetTokens !== null) rows.push(['Largest token budget', `${e.maxBudgetTokens} tokens`]);
  }
  for (const q of report.qdrant) {
    const points = q.meanPoints === null ? '' : `, ${q.meanPoints.toFixed(1)} points each`;
    rows.push([
      `Qdrant ${q.operation}`,
      `${q.calls} calls${points}, p50 ${q.p50Ms.toFixed(1)} ms, p99 ${q.p99Ms.toFixed(1)} ms`,
    ]);
  }
  return rows.length > 0 ? { headers: ['Figure', 'Value'], numeric: [false, false], rows } : undefined;
}

export function summaryLine(report: BottleneckReport): string {
  const a = report.analysis;
  const shared =
    a.sharedTraces > 0 ? ` (${a.sharedTraces} of them shared work, such as embedding batches)` : '';
  return (
    `${a.traces} traces${shared}, ${a.spans} spans from ${report.services.join(', ') || 'no service'} between ` +
    `${report.window.start} and ${report.window.end}. The journeys' wall time adds up to ${formatMs(a.wallUs)} ms, ` +
    `${formatShare(a.gapShare)} of it with no span open.`
  );
}

/** Fixed-width columns for a terminal. */
export function textTable(t: Table): string {
  const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (t.numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(t.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function markdownTable(t: Table): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [
    `| ${t.headers.map(esc).join(' | ')} |`,
    `| ${t.numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
