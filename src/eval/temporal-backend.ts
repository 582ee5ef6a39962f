import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config/index.ts';
import { beforeDeadline } from '../service/deadline.ts';
import {
  INGEST_WORKFLOW,
  SEARCH_WORKFLOW,
  searchWorkflowId,
  type DocumentInput,
  type IngestBatchInput,
  type IngestBatchResult,
  type SearchAnswer,
  type SearchInput,
} from '../../workflows/contracts.ts';
import { QueryFailedError, type RetrievalBackend } from './run-eval.ts';

/** Thrown when no worker takes a workflow from its task queue in time: none runs, or it polls another queue or namespace. */
export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

/** The part of a Temporal workflow handle the pick-up check needs. */
export interface StartedWorkflow<T> {
  result(): Promise<T>;
  describe(): Promise<{
    historyLength: number;
    status: { name: string };
    raw?: { pendingWorkflowTask?: { state?: number | null } | null };
  }>;
  terminate(reason?: string): Promise<unknown>;
}

export interface PickupOptions {
  /** How long a worker has to take the workflow's first task. */
  deadlineMs: number;
  taskQueue: string;
  /** What was started, for the error message, e.g. "ingest workflow eval-…". */
  what: string;
}

const TIMED_OUT = Symbol('timed out');
/** PENDING_WORKFLOW_TASK_STATE_STARTED: a worker holds the task (a search's local activity may be running in it). */
const TASK_STARTED = 2;

/**
 * The workflow's result, unless no worker has taken its first task by the deadline: then the
 * workflow is terminated (so a worker started later does not run stale work) and NoWorkerError is
 * thrown. A workflow that has been picked up is awaited however long it takes. A history of two
 * events (started, first task scheduled) with that task not started means no worker has touched it.
 */
export async function resultWithPickupDeadline<T>(
  handle: StartedWorkflow<T>,
  options: PickupOptions,
): Promise<T> {
  const result = handle.result();
  const first = await beforeDeadline(result, options.deadlineMs, TIMED_OUT);
  if (first !== TIMED_OUT) return first;
  const info = await handle.describe();
  const taskHeld = info.raw?.pendingWorkflowTask?.state === TASK_STARTED;
  if (info.status.name === 'RUNNING' && info.historyLength <= 2 && !taskHeld) {
    result.catch(() => undefined); // settles as "terminated" below; the NoWorkerError is the story
    await handle.terminate('no worker took the task in time').catch(() => undefined);
    const seconds = Math.round(options.deadlineMs / 1000);
    throw new NoWorkerError(
      `No worker took the ${options.what} from task queue "${options.taskQueue}" within ${seconds} s. ` +
        'Start the workers with "embedstream run --role worker" against the same TEMPORAL_ADDRESS, ' +
        'TEMPORAL_NAMESPACE and TASK_QUEUE_INGEST / TASK_QUEUE_SEARCH, then run the evaluation again.',
    );
  }
  return result;
}

/**
 * Why a search workflow failed: the first ApplicationFailure in the cause chain carries the stable
 * type and the message the activity gave ("CollectionNotFound: …"), which says more than the
 * wrappers above it or the raw HTTP error below it.
 */
function failureMessage(err: Error): string {
  let inner: unknown = err;
  while (inner instanceof Error) {
    if (inner instanceof ApplicationFailure) return `${inner.type ?? 'Error'}: ${inner.message}`;
    if (!(inner.cause instanceof Error)) return inner.message;
    inner = inner.cause;
  }
  return err.message;
}

/**
 * Ingests and searches through the pipeline's own workflows, started with the Temporal client on
 * the configured task queues: exactly what a Kafka consumer hands off, without Kafka in between.
 */
export class TemporalBackend implements RetrievalBackend {
  readonly #client: Client;
  readonly #config: Pick<Config, 'taskQueueIngest' | 'taskQueueSearch'>;
  /** Makes this run's workflow ids unique, so an earlier run still in flight cannot collide. */
  readonly #runTag: string;
  readonly #pickupMs: number;
  #batches = 0;

  constructor(
    client: Client,
    config: Pick<Config, 'taskQueueIngest' | 'taskQueueSearch'>,
    runTag: string,
    pickupMs = 30_000,
  ) {
    this.#client = client;
    this.#config = config;
    this.#runTag = runTag;
    this.#pickupMs = pickupMs;
  }

  async ingest(documents: DocumentInput[]): Promise<IngestBatchResult> {
    const workflowId = `eval-ingest-${this.#runTag}-${this.#batches++}`;
    const input: IngestBatchInput = { documents };
    const handle = await this.#client.workflow.start<(input: IngestBatchInput) => Promise<IngestBatchResult>>(
      INGEST_WORKFLOW,
      {
        taskQueue: this.#config.taskQueueIngest,
        workflowId,
        args: [input],
      },
    );
    return resultWithPickupDeadline(handle, {
      deadlineMs: this.#pickupMs,
      taskQueue: this.#config.taskQueueIngest,
      what: `ingest workflow ${workflowId}`,
    });
  }

  async search(input: SearchInput): Promise<SearchAnswer> {
    // Dataset query ids repeat across runs; the workflow id must not.
    const workflowId = searchWorkflowId(`${input.requestId}-${randomUUID().slice(0, 8)}`);
    const handle = await this.#client.workflow.start<(input: SearchInput) => Promise<SearchAnswer>>(
      SEARCH_WORKFLOW,
      {
        taskQueue: this.#config.taskQueueSearch,
        workflowId,
        args: [input],
        workflowExecutionTimeout: '2 minutes',
      },
    );
    try {
      return await resultWithPickupDeadline(handle, {
        deadlineMs: this.#pickupMs,
        taskQueue: this.#config.taskQueueSearch,
        what: `search workflow ${workflowId}`,
      });
    } catch (err) {
      // The workflow ran and failed (bad query, search timed out): this query's failure, not the run's.
      if (err instanceof WorkflowFailedError) throw new QueryFailedError(failureMessage(err), { cause: err });
      throw err;
    }
  }
}
