import net from 'node:net';
import type { RuntimeOptions } from '@temporalio/worker';

/** Temporal's native metrics options, as `Runtime.install({ telemetryOptions: { metrics } })` takes them. */
export type TemporalMetricsOptions = NonNullable<NonNullable<RuntimeOptions['telemetryOptions']>['metrics']>;

/** Text in the Prometheus exposition format, appended to /metrics. */
export type MetricsSource = () => Promise<string>;

/** Asks the OS for a free local port (briefly bound, then released for the caller to bind). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe socket'));
      });
    });
  });
}

/**
 * Temporal's worker runtime (Rust core) serves its own metrics (task slots, poll latency, sticky
 * cache, schedule-to-start) from a Prometheus endpoint it binds itself. We bind it to loopback
 * only and forward it through this process's /metrics, so Prometheus scrapes one port per process.
 * Names follow Prometheus conventions: seconds and `_total` suffixes.
 */
export function temporalMetricsOptions(port: number): TemporalMetricsOptions {
  return {
    prometheus: {
      bindAddress: `127.0.0.1:${port}`,
      countersTotalSuffix: true,
      unitSuffix: true,
      useSecondsForDurations: true,
    },
  };
}

/** Reads Temporal's metrics endpoint; on failure a comment saying why, so /metrics still answers. */
export function temporalMetricsSource(port: number, timeoutMs = 1000): MetricsSource {
  const url = `http://127.0.0.1:${port}/metrics`;
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return `# temporal runtime metrics unavailable: ${url} answered ${res.status}\n`;
      return await res.text();
    } catch (err) {
      return `# temporal runtime metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
    }
  };
}

/**
 * For a worker process, before `Runtime.install`: picks the port (TEMPORAL_METRICS_PORT, 0 = free
 * one) and returns the runtime options and the source to register on the health server:
 *
 *   const tm = await prepareTemporalRuntimeMetrics(cfg.temporalMetricsPort);
 *   Runtime.install({ telemetryOptions: { metrics: tm.metrics } });
 *   health.addMetricsSource(tm.source);
 */
export async function prepareTemporalRuntimeMetrics(
  configuredPort: number,
): Promise<{ port: number; metrics: TemporalMetricsOptions; source: MetricsSource }> {
  const port = configuredPort === 0 ? await freePort() : configuredPort;
  return { port, metrics: temporalMetricsOptions(port), source: temporalMetricsSource(port) };
}
