import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { collectProcessMetrics, lagReadings } from '../../src/metrics/process-metrics.ts';

const MS = 1e6;

function histogram(
  values: Partial<Record<'min' | 'max' | 'mean' | 'stddev', number>>,
  percentiles: number[],
) {
  const [p50, p90, p99] = percentiles;
  return {
    min: 0,
    max: 0,
    mean: 0,
    stddev: 0,
    ...values,
    percentile: (p: number) => ({ 50: p50, 90: p90, 99: p99 })[p]!,
  };
}

function gauge(text: string, name: string): number[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => Number(l.split(' ')[1]));
}

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lagReadings', () => {
  it('when samples fire 100 ms apart plus some lateness, then only the lateness is reported, in seconds', () => {
    const h = histogram({ min: 100.5 * MS, max: 340 * MS, mean: 104 * MS, stddev: 3 * MS }, [
      101 * MS,
      110 * MS,
      300 * MS,
    ]);
    expect(lagReadings(h, 100)).toEqual({
      min: 0.0005,
      max: 0.24,
      mean: 0.004,
      stddev: 0.003,
      p50: 0.001,
      p90: 0.01,
      p99: 0.2,
    });
  });

  it('when a sample fires a little early (timer rounding), then it reads as on time, not negative', () => {
    const h = histogram({ min: 99.2 * MS, max: 99.8 * MS, mean: 99.5 * MS }, [
      99.5 * MS,
      99.8 * MS,
      99.8 * MS,
    ]);
    const r = lagReadings(h, 100);
    expect([r.min, r.max, r.mean, r.p50, r.p90, r.p99]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('collectProcessMetrics', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('when it replaces the default gauges, then each name is served once and a blocked loop shows, then clears', async () => {
    const registry = new Registry();
    const h = collectProcessMetrics(registry, 50);
    stop = () => h.disable();

    await sleep(200);
    busyFor(400);
    await sleep(120);
    const blocked = await registry.metrics();
    for (const name of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'])
      expect(gauge(blocked, `nodejs_eventloop_lag_${name}_seconds`)).toHaveLength(1);
    expect(gauge(blocked, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    // The 400 ms block delayed a sample due at most 50 ms after it began by at least 350 ms.
    expect(gauge(blocked, 'nodejs_eventloop_lag_max_seconds')[0]).toBeGreaterThanOrEqual(0.35);

    // The next scrape covers only the samples since: an idle loop, far less late than the block.
    await sleep(300);
    const idle = await registry.metrics();
    expect(gauge(idle, 'nodejs_eventloop_lag_max_seconds')[0]).toBeLessThan(0.2);
    expect(gauge(idle, 'nodejs_eventloop_lag_p50_seconds')[0]).toBeLessThan(0.05);
  });
});
