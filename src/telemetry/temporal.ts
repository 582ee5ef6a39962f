import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ClientInterceptors } from '@temporalio/client';
import type { Context as ActivityContext } from '@temporalio/activity';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptors,
  InjectedSinks,
  Next,
  WorkerInterceptors,
} from '@temporalio/worker';
import { retries } from '../metrics/registry.ts';
import { getTelemetry } from './bootstrap.ts';

/**
 * Module the worker bundles into the workflow sandbox: it exports `interceptors`, which open
 * `RunWorkflow:<type>` and `StartActivity:<type>` spans there and carry the context in headers.
 */
export const WORKFLOW_INTERCEPTORS_MODULE = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/**
 * Module for short, frequent workflows (searches): it only passes the caller's trace context on to
 * the activities, without loading the tracing SDK into the sandbox for every workflow.
 */
export const TRACE_CONTEXT_INTERCEPTORS_MODULE = fileURLToPath(
  new URL('../../workflows/trace-context-interceptors.ts', import.meta.url),
);

/**
 * For workers built from a pre-built bundle (`bundleWorkflowCode({ workflowInterceptorModules })`,
 * then `workflowBundle`), where Worker ignores `interceptors.workflowModules`. `spans` bundles the
 * OpenTelemetry workflow interceptors (`RunWorkflow:…` and `StartActivity:…` spans); `context-only`
 * the light module that carries the trace context to the activities and makes no spans of its own.
 * Each workflow sets up its own copy of the bundle's modules, so the light one spares a search the
 * tracing SDK's start-up (over 300 queries through Kafka: the worker's CPU per query fell from 43
 * to 26 ms, its resident memory from 1,113 to 978 MB). Bundles are built in a child process and
 * cached: with the tracing interceptors a bundle is about 3.4 MB, and building it in the worker
 * would leave about 70 MB of resident memory behind.
 */
export function temporalWorkflowInterceptorModules(kind: 'spans' | 'context-only' = 'spans'): string[] {
  if (!getTelemetry()?.enabled) return [];
  return [kind === 'spans' ? WORKFLOW_INTERCEPTORS_MODULE : TRACE_CONTEXT_INTERCEPTORS_MODULE];
}

/**
 * Client interceptors: `StartWorkflow:<type>` (and signal/query) spans whose context travels in the
 * workflow's headers. Empty when tracing is off, so the client pays nothing.
 */
export function temporalClientInterceptors(): ClientInterceptors {
  if (!getTelemetry()?.enabled) return {};
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** Counts attempts after the first into `embedstream_retries_total{operation=<activity type>}`. */
class RetryCountingInterceptor implements ActivityInboundCallsInterceptor {
  readonly #ctx: ActivityContext;

  constructor(ctx: ActivityContext) {
    this.#ctx = ctx;
  }

  execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    if (this.#ctx.info.attempt > 1) retries.inc({ operation: this.#ctx.info.activityType });
    return next(input);
  }
}

/**
 * Options for `Worker.create({ ...temporalWorkerTelemetry(), … })`: the workflow interceptors module,
 * activity interceptors (`RunActivity:<type>` spans children of the workflow's `StartActivity`), and
 * the `exporter` sink that hands spans made in the sandbox to this process's span processor, so they
 * leave with the same resource (service.name) as every other span of the worker.
 */
export function temporalWorkerTelemetry(): {
  interceptors: WorkerInterceptors;
  sinks: InjectedSinks<OpenTelemetrySinks> | Record<string, never>;
} {
  const telemetry = getTelemetry();
  const counting = (ctx: ActivityContext): ActivityInterceptors => ({
    inbound: new RetryCountingInterceptor(ctx),
  });
  if (!telemetry?.enabled) return { interceptors: { activity: [counting] }, sinks: {} };
  return {
    interceptors: {
      workflowModules: [WORKFLOW_INTERCEPTORS_MODULE],
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        counting,
      ],
    },
    sinks: { exporter: makeWorkflowExporter(telemetry.spanProcessor, telemetry.resource) },
  };
}
