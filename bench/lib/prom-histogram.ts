/** A Prometheus histogram read from a /metrics page, summed over the series that match. */
export interface Histogram {
  /** Cumulative counts by upper bound, ascending, +Inf last. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

const LINE = /^([A-Za-z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/;
const LABEL = /([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"/g;

function labelsOf(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(LABEL)) out[m[1]!] = m[2]!;
  return out;
}

/** The histogram `name` in a text exposition, summed over series whose labels include `match`; undefined when absent. */
export function parseHistogram(
  exposition: string,
  name: string,
  match: Record<string, string> = {},
): Histogram | undefined {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  let seen = false;
  for (const line of exposition.split('\n')) {
    const m = LINE.exec(line);
    if (!m || !m[1]!.startsWith(name)) continue;
    const labels = labelsOf(m[2]);
    if (!Object.entries(match).every(([k, v]) => labels[k] === v)) continue;
    const value = Number(m[3]);
    if (m[1] === `${name}_bucket`) {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + value);
      seen = true;
    } else if (m[1] === `${name}_sum`) sum += value;
    else if (m[1] === `${name}_count`) count += value;
  }
  if (!seen) return undefined;
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, sum, count };
}

/** What was observed between two readings of the same histogram. */
export function histogramDelta(after: Histogram, before: Histogram | undefined): Histogram {
  if (!before) return after;
  return {
    buckets: after.buckets.map((b) => ({
      le: b.le,
      count: b.count - (before.buckets.find((x) => x.le === b.le)?.count ?? 0),
    })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The q-quantile as Prometheus' histogram_quantile estimates it: linear within the bucket that
 * holds it, so it is only as fine as the bucket bounds. NaN when nothing was observed.
 */
export function histogramQuantile(h: Histogram, q: number): number {
  if (h.count <= 0) return Number.NaN;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1e-12, b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** The /metrics page of a local process. */
export async function scrapeMetrics(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics on port ${port}: HTTP ${res.status}`);
  return res.text();
}
