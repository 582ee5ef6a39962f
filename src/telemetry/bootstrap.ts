import os from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  /** Names the process in traces: `service.name` becomes `embedstream-<role>`. */
  role: string;
  /** False: no SDK at all, so spans are no-ops and nothing is exported. */
  enabled: boolean;
  /** OTLP gRPC endpoint, e.g. http://localhost:4317. */
  endpoint: string;
  /** Replaces the OTLP exporter (tests use an in-memory one). */
  exporter?: SpanExporter;
}

/** What the Temporal worker needs to send workflow spans (made in the sandbox) down the same pipe. */
export interface Telemetry {
  readonly serviceName: string;
  readonly enabled: boolean;
  readonly resource: Resource;
  readonly spanProcessor: SpanProcessor;
}

const SERVICE_VERSION = '0.1.0';

let current: { telemetry: Telemetry; sdk: NodeSDK | undefined; endpoint: string } | undefined;

export function serviceNameFor(role: string): string {
  return `embedstream-${role}`;
}

/**
 * The role a command line implies when EMBEDSTREAM_ROLE is unset: `run --role worker` → worker,
 * `run` alone → all, any other command → cli.
 */
export function roleFromArgv(argv: readonly string[]): string {
  if (argv[0] !== 'run') return 'cli';
  const i = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (i < 0) return 'all';
  const value = argv[i]!.includes('=') ? argv[i]!.slice('--role='.length) : argv[i + 1];
  return value && /^[a-z0-9-]+$/.test(value) ? value : 'all';
}

/**
 * Starts tracing for this process: spans batched to OTLP gRPC, W3C trace-context propagation,
 * undici client spans (the Qdrant client's HTTP calls). Idempotent: a second call returns the first
 * set-up, so a module may call it defensively.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (current) return current.telemetry;
  const serviceName = serviceNameFor(options.role);
  const resource = new Resource({
    [ATTR_SERVICE_NAME]: serviceName,
    [ATTR_SERVICE_VERSION]: SERVICE_VERSION,
    // Several workers of one role run side by side; these tell them apart in Jaeger.
    'service.instance.id': `${os.hostname()}:${process.pid}`,
    'host.name': os.hostname(),
    'process.pid': process.pid,
  });
  if (!options.enabled) {
    current = {
      telemetry: { serviceName, enabled: false, resource, spanProcessor: new NoopSpanProcessor() },
      sdk: undefined,
      endpoint: options.endpoint,
    };
    return current.telemetry;
  }
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: options.endpoint });
  const spanProcessor = new BatchSpanProcessor(exporter, {
    // A bulk ingest makes a few spans per document; the default 2048 drops spans on bursts.
    maxQueueSize: 16_384,
    maxExportBatchSize: 1024,
    // One second keeps `traces report` and the tests close to real time at little cost.
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: 10_000,
  });
  const sdk = new NodeSDK({
    resource,
    // The resource above is also handed to the workflow span exporter; detecting more here would
    // make spans of one process carry two different resources.
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    // undici publishes on diagnostics_channel, so this works for ESM without module hooks. Only
    // calls made inside a span are traced: Qdrant calls from activities are; /metrics forwarding
    // and the report's reads of Jaeger would only be noise.
    instrumentations: [new UndiciInstrumentation({ requireParentforSpans: true })],
  });
  sdk.start();
  current = {
    telemetry: { serviceName, enabled: true, resource, spanProcessor },
    sdk,
    endpoint: options.endpoint,
  };
  return current.telemetry;
}

/** The running set-up, or undefined before `startTelemetry`. */
export function getTelemetry(): Telemetry | undefined {
  return current?.telemetry;
}

/**
 * Exports what is buffered and stops the SDK, giving up after `timeoutMs` so a dead collector never
 * holds a shutdown. Safe to call more than once and without a running SDK.
 */
export async function shutdownTelemetry(timeoutMs = 5000): Promise<void> {
  const running = current;
  current = undefined;
  if (!running?.sdk) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([running.sdk.shutdown(), deadline]);
  } catch (err) {
    // Telemetry failing must never turn a clean exit into a crash; say it once.
    console.error(
      `Could not send the last traces to ${running.endpoint} (${err instanceof Error ? err.message : String(err)}): start Jaeger (npm run stack:up), fix OTEL_EXPORTER_OTLP_ENDPOINT, or set OTEL_TRACES_ENABLED=false.`,
    );
  } finally {
    clearTimeout(timer);
    // Unregister the globals so a later start (the next test in this process) can register again.
    trace.disable();
    propagation.disable();
    context.disable();
  }
}

/** Exports what is buffered without stopping (tests and one-shot commands that read traces back). */
export async function flushTelemetry(): Promise<void> {
  await current?.telemetry.spanProcessor.forceFlush();
}
