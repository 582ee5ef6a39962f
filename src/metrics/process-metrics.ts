import { monitorEventLoopDelay, type ELDHistogram, type Histogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/**
 * How often the event loop's delay is sampled, in milliseconds. Each sample is a timer that wakes
 * the process. At prom-client's 10 ms an idle consumer woke 131 times a second (51 at 100 ms), and
 * the inference threads of a worker embedding on both cores were preempted about a fifth more
 * often. A loop blocked for longer than this interval is always caught; a shorter block is caught
 * in proportion to its length.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * The gauges prom-client's default metrics derive from its own delay histogram, whose readings are
 * the whole time between two samples: an idle loop reads as late as its sampling interval.
 */
const HISTOGRAM_GAUGES = {
  min: 'nodejs_eventloop_lag_min_seconds',
  max: 'nodejs_eventloop_lag_max_seconds',
  mean: 'nodejs_eventloop_lag_mean_seconds',
  stddev: 'nodejs_eventloop_lag_stddev_seconds',
  p50: 'nodejs_eventloop_lag_p50_seconds',
  p90: 'nodejs_eventloop_lag_p90_seconds',
  p99: 'nodejs_eventloop_lag_p99_seconds',
} as const;

type Reading = keyof typeof HISTOGRAM_GAUGES;

/** How late the samples since the last scrape fired, in seconds: the sampling interval taken out. */
export function lagReadings(
  histogram: Pick<Histogram, 'min' | 'max' | 'mean' | 'stddev' | 'percentile'>,
  sampleMs: number,
): Record<Reading, number> {
  const late = (ns: number) => Math.max(0, ns - sampleMs * 1e6) / 1e9;
  return {
    min: late(histogram.min),
    max: late(histogram.max),
    mean: late(histogram.mean),
    stddev: histogram.stddev / 1e9,
    p50: late(histogram.percentile(50)),
    p90: late(histogram.percentile(90)),
    p99: late(histogram.percentile(99)),
  };
}

/** The longest timer Node allows: given to prom-client's own delay sampler, it never fires in practice. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Registers prom-client's default process metrics (resident memory, heap, GC, handles, event-loop
 * lag) in `registry`, under their standard names so stock Node.js dashboards work, with one change:
 * the event-loop delay gauges sample every `sampleMs` and report only the lateness, so an idle loop
 * reads 0. Each scrape reads the samples since the previous one. prom-client's own sampler is kept
 * from waking the process, and its `nodejs_eventloop_lag_seconds` (a setImmediate timed at each
 * scrape) stays.
 */
export function collectProcessMetrics(registry: Registry, sampleMs = EVENT_LOOP_SAMPLE_MS): ELDHistogram {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: LONGEST_TIMER_MS });
  const histogram = monitorEventLoopDelay({ resolution: sampleMs });
  histogram.enable();
  const gauges = {} as Record<Reading, Gauge>;
  for (const [reading, name] of Object.entries(HISTOGRAM_GAUGES) as [Reading, string][]) {
    registry.removeSingleMetric(name);
    gauges[reading] = new Gauge({
      name,
      help: `The ${reading} of how late the event loop ran its ${sampleMs} ms samples since the last scrape.`,
      registers: [registry],
      // The first gauge read in a scrape sets them all; reading them starts a new interval.
      collect: reading === 'min' ? () => scrape() : undefined,
    });
  }
  function scrape(): void {
    // No sample yet (a scrape right after the last): the readings stay as they were.
    if (histogram.count === 0) return;
    const readings = lagReadings(histogram, sampleMs);
    for (const reading of Object.keys(gauges) as Reading[]) gauges[reading].set(readings[reading]);
    histogram.reset();
  }
  return histogram;
}
