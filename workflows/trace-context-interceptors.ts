import type { Payload } from '@temporalio/common';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The header the OpenTelemetry interceptors carry the trace context in (their TRACE_HEADER). */
const TRACE_HEADER = '_tracer-data';

/**
 * Workflow interceptors that only pass the caller's trace context on to the workflow's activities,
 * as the header the OpenTelemetry activity interceptors read: the activities' spans join the trace
 * of whoever started the workflow. Unlike @temporalio/interceptors-opentelemetry's workflow module,
 * no tracing SDK is loaded into the sandbox and no workflow spans are made, which spares every
 * workflow the SDK's set-up (tens of milliseconds of CPU each): the choice for short, frequent
 * workflows such as searches. Bundled in place of that module for the search worker.
 */
export const interceptors = (): WorkflowInterceptors => {
  let traceHeader: Payload | undefined;
  const withTrace = <T extends { headers: Record<string, Payload> }>(input: T): T =>
    traceHeader ? { ...input, headers: { ...input.headers, [TRACE_HEADER]: traceHeader } } : input;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
      traceHeader = input.headers[TRACE_HEADER];
      return next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
      return next(withTrace(input));
    },
    scheduleLocalActivity(
      input: LocalActivityInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
    ) {
      return next(withTrace(input));
    },
  };
  return { inbound: [inbound], outbound: [outbound] };
};
