import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { workflowStartDuration } from '../src/metrics/registry.ts';
import type { Logger } from '../src/kafka/logger.ts';

/**
 * `already_started`: Temporal already had a workflow of that id (running or closed), so this start was
 * a no-op. `started_eagerly`: started, and its first workflow task handed straight to a worker of
 * this process.
 */
export type StartOutcome = 'started' | 'started_eagerly' | 'already_started';

export interface WorkflowStartRequest {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
}

/** Starts workflows; the seam tests use to stand in for Temporal or to fail on purpose. */
export interface WorkflowStarter {
  start(request: WorkflowStartRequest): Promise<StartOutcome>;
}

export interface StarterOptions {
  /**
   * Ask Temporal to hand each started workflow's first task back in the start's reply, to a worker
   * of this process on the same task queue (eager workflow start): no dispatch through the task
   * queue and no poll round trip. Needs a client over the worker's NativeConnection; the server
   * falls back to normal dispatch when that worker has no free slot.
   */
  eager?: boolean;
}

/**
 * Starts each workflow id at most once, ever: REJECT_DUPLICATE refuses an id even after its
 * workflow closed (within the namespace's retention), so a redelivered sub-batch or query is a no-op
 * and its "already started" refusal counts as a successful hand-off.
 */
export function temporalStarter(client: Client, options: StarterOptions = {}): WorkflowStarter {
  return {
    async start(request) {
      const started = performance.now();
      const observe = (outcome: string) =>
        workflowStartDuration.observe(
          { workflow: request.workflowType, outcome },
          (performance.now() - started) / 1000,
        );
      try {
        const handle = await client.workflow.start(request.workflowType, {
          workflowId: request.workflowId,
          taskQueue: request.taskQueue,
          args: request.args,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          ...(options.eager ? { requestEagerStart: true } : {}),
        });
        const outcome = handle.eagerlyStarted ? 'started_eagerly' : 'started';
        observe(outcome);
        return outcome;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          observe('already_started');
          return 'already_started';
        }
        observe('error');
        throw err;
      }
    },
  };
}

export interface RetryControl {
  /** False once the consumer stops or loses the partition: give up and leave the offsets unresolved. */
  shouldContinue(): boolean;
  /** Keeps the group membership alive while waiting between attempts. */
  heartbeat(): Promise<void>;
  /** Ends a wait early when the consumer stops. */
  signal?: AbortSignal;
  logger: Logger;
  /** First wait between attempts in ms, doubled up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Starts a workflow, retrying until Temporal acknowledges it: the messages behind it must not be
 * committed before, and Kafka keeps them meanwhile. The client already retries transient gRPC
 * failures for a few seconds; this outer loop rides out a longer Temporal outage with a growing
 * wait, and gives up (`abandoned`, offsets left unresolved for redelivery) when the consumer stops.
 */
export async function startUntilAcknowledged(
  starter: WorkflowStarter,
  request: WorkflowStartRequest,
  control: RetryControl,
): Promise<StartOutcome | 'abandoned'> {
  let delay = control.initialDelayMs ?? 500;
  const maxDelay = control.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await starter.start(request);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      control.logger.warn(
        `could not start ${request.workflowType} ${request.workflowId} (attempt ${attempt}): ${why}; retrying in ${delay} ms. ` +
          'Check that Temporal is up at TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE exists.',
      );
    }
    if (!control.shouldContinue()) return 'abandoned';
    await sleep(delay, control.signal);
    if (!control.shouldContinue()) return 'abandoned';
    await control.heartbeat();
    delay = Math.min(maxDelay, delay * 2);
  }
}
