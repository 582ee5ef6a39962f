/**
 * A process that runs only the consumers: `npm run start:consumers`, i.e.
 *   EMBEDSTREAM_ROLE=consumer node --import ./src/telemetry/register.ts consumers/main.ts
 * It serves /healthz, /readyz and /metrics on HTTP_PORT. SIGINT or SIGTERM stops it in order
 * (consumers, Temporal connection, HTTP server, traces) within CONSUMER_STOP_TIMEOUT_MS; a second
 * signal exits at once.
 */
import { loadConfig } from '../src/config/index.ts';
import { HealthServer } from '../src/http/health-server.ts';
import { consoleLogger } from '../src/kafka/logger.ts';
import { shutdownTelemetry } from '../src/telemetry/bootstrap.ts';
import { connectTemporal } from '../src/temporal/client.ts';
import { startConsumers } from './start-consumers.ts';

const config = loadConfig();
const logger = consoleLogger('consumers', config.logLevel);
const health = new HealthServer({ port: config.httpPort, loopStallMs: config.healthLoopStallMs });
const temporal = await connectTemporal(config);
const consumers = await startConsumers(config, { temporal, health, logger });
const port = await health.start();
logger.info(`consuming ${config.topicDocuments} and ${config.topicQueries}; health and metrics on http://localhost:${port}`);

let shuttingDown = false;

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info(`${reason}: stopping (within ${config.consumerStopTimeoutMs} ms)`);
  try {
    await consumers.stop();
    await temporal.connection.close();
    await health.stop();
  } finally {
    await shutdownTelemetry();
    process.exitCode = exitCode;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    void shutdown(signal, 0);
  });
}

consumers.done.catch((err: unknown) => {
  logger.error(`a consumer stopped for good: ${err instanceof Error ? err.message : String(err)}`);
  void shutdown('consumer crash', 1);
});
