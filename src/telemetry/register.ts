/**
 * Loaded before anything else in every process: `node --import ./src/telemetry/register.ts …`.
 * Starting the SDK first means the tracer provider, the propagator and the undici instrumentation
 * are in place before the first module makes a span or an HTTP call.
 */
import { ConfigError, loadConfig, type Config } from '../config/index.ts';
import { roleFromArgv, shutdownTelemetry, startTelemetry } from './bootstrap.ts';

let config: Config | undefined;
try {
  config = loadConfig();
} catch (err) {
  // The CLI reports configuration errors with their fix; tracing simply stays off until then.
  if (!(err instanceof ConfigError)) throw err;
}

if (config) {
  // process.argv: [node, script, ...command words]
  startTelemetry({
    role: config.role || roleFromArgv(process.argv.slice(2)),
    enabled: config.otelEnabled,
    endpoint: config.otlpEndpoint,
  });
  // One-shot commands end by draining the event loop; flush then. Long-running processes call
  // shutdownTelemetry() themselves as the last step of their shutdown.
  process.once('beforeExit', () => {
    void shutdownTelemetry();
  });
}
