import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { buildReport } from '../../telemetry/report/bottleneck-report.ts';
import { JaegerClient, JaegerQueryError } from '../../telemetry/report/jaeger-client.ts';
import { renderHtml, renderMarkdown, renderText } from '../../telemetry/report/render-report.ts';
import { stageChartSvg } from '../../telemetry/report/svg-chart.ts';
import { UsageError, type Command } from '../command.ts';

const USAGE = `Usage: embedstream traces report [--since 10m] [--service NAME]… [--limit N] [--slowest N] [--json] [--out FILE]

Reads the traces of the last --since from Jaeger (JAEGER_QUERY_URL) and prints, per stage (span name):
count, p50/p95/p99, share of wall time and self time; the slowest traces with their ids; and
recommendations drawn from the figures.

  --since D      window to read, e.g. 90s, 10m, 2h, 1d (default 10m)
  --service S    a service to read (repeatable; default: every embedstream-* service)
  --limit N      traces per service at most (default 500)
  --slowest N    slowest traces to list (default 5)
  --json         print the report as JSON
  --out FILE     also write it: .md (with FILE's .svg chart beside it), .html (self-contained) or .json`;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "10m" → 600000. Throws UsageError with the accepted forms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!m)
    throw new UsageError(`--since "${text}" is not a duration: use a number and s, m, h or d, e.g. 10m.`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} "${text}" must be a positive integer.`);
  return n;
}

export const tracesReportCommand: Command = {
  path: ['traces', 'report'],
  summary: 'Per-stage latency, share of time and recommendations from the traces in Jaeger',
  usage: USAGE,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          since: { type: 'string', default: '10m' },
          service: { type: 'string', multiple: true },
          limit: { type: 'string' },
          slowest: { type: 'string' },
          json: { type: 'boolean', default: false },
          out: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const sinceMs = parseDuration(values.since);
    const limit = positiveInt('--limit', values.limit, 500);
    const slowest = positiveInt('--slowest', values.slowest, 5);
    const out = values.out;
    if (out && !/\.(md|html|json)$/.test(out))
      throw new UsageError(`--out "${out}" must end in .md, .html or .json.`);

    const cfg = loadConfig();
    const endMs = Date.now();
    const startMs = endMs - sinceMs;
    const services = (values.service ?? [])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    let traces;
    try {
      traces = await new JaegerClient(cfg.jaegerQueryUrl).traces({ services, startMs, endMs, limit });
    } catch (err) {
      if (err instanceof JaegerQueryError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
    const report = buildReport(traces, { since: values.since, startMs, endMs }, slowest);

    console.log(values.json ? JSON.stringify(report, null, 2) : renderText(report));
    if (out) {
      if (out.endsWith('.html')) {
        await writeFile(out, renderHtml(report));
      } else if (out.endsWith('.json')) {
        await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
      } else {
        const svg = out.replace(/\.md$/, '.svg');
        await writeFile(svg, `${stageChartSvg(report.analysis.stages)}\n`);
        await writeFile(out, renderMarkdown(report, path.basename(svg)));
      }
      console.error(`Report written to ${out}.`);
    }
    return 0;
  },
};
