import type { Client } from '@temporalio/client';
import type { Logger } from '../src/kafka/logger.ts';
import { workflowBacklog } from '../src/metrics/registry.ts';
import { INGEST_WORKFLOW } from '../workflows/contracts.ts';
import { workflowEnd } from './running-ingests.ts';

/** Counts running ingest workflows. */
export interface BacklogSource {
  readonly name: 'visibility' | 'in-process';
  count(): Promise<number>;
  /** A workflow this process just started. */
  noteStarted(workflowId: string): void;
}

/** Thrown by a source whose server cannot answer a count query at all (not a transient failure). */
export class CountUnsupportedError extends Error {
  override readonly name = 'CountUnsupportedError';
}

// gRPC status codes: a server without advanced visibility answers UNIMPLEMENTED or INVALID_ARGUMENT.
const UNSUPPORTED_CODES = new Set([3, 12]);

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/**
 * Every running ingest workflow on the task queue, whoever started it, from Temporal's visibility
 * store. The count lags the truth by up to a second or so.
 */
export function visibilityBacklog(client: Client, taskQueue: string): BacklogSource {
  const query = `WorkflowType = '${INGEST_WORKFLOW}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
  return {
    name: 'visibility',
    async count() {
      try {
        return (await client.workflow.count(query)).count;
      } catch (err) {
        const code = grpcCode(err);
        if (code !== undefined && UNSUPPORTED_CODES.has(code))
          throw new CountUnsupportedError(`Temporal cannot count workflows: ${(err as Error).message}`, {
            cause: err,
          });
        throw err;
      }
    },
    noteStarted() {},
  };
}

/**
 * Fallback when the server cannot count: the workflows this process started and has not seen
 * finish (each is awaited through its handle). Blind to other consumer processes.
 */
export function inProcessBacklog(waitForResult: (workflowId: string) => Promise<unknown>): BacklogSource {
  const running = new Set<string>();
  return {
    name: 'in-process',
    count: () => Promise.resolve(running.size),
    noteStarted(workflowId) {
      running.add(workflowId);
      // Failed or not, a finished workflow no longer holds a place in the backlog.
      void waitForResult(workflowId)
        .catch(() => undefined)
        .finally(() => running.delete(workflowId));
    },
  };
}

export interface IngestBacklogOptions {
  taskQueue: string;
  /** A live count is asked at most this often; in between, starts since the last count are added. */
  minIntervalMs?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * The number of running ingest workflows, as backpressure needs it: asked of Temporal at most once
 * a second, plus this process's starts since, so a burst of starts between two counts is never
 * missed. Falls back from the visibility count to the in-process count when the server cannot count.
 */
export class IngestBacklog {
  #source: BacklogSource;
  readonly #fallback: () => BacklogSource;
  readonly #options: Required<Omit<IngestBacklogOptions, 'now'>> & { now: () => number };
  #counted = 0;
  #countedAt = Number.NEGATIVE_INFINITY;
  #startedSince = 0;
  #counting: Promise<void> | undefined;

  constructor(primary: BacklogSource, fallback: () => BacklogSource, options: IngestBacklogOptions) {
    this.#source = primary;
    this.#fallback = fallback;
    this.#options = { minIntervalMs: 1000, now: () => performance.now(), ...options };
  }

  get sourceName(): BacklogSource['name'] {
    return this.#source.name;
  }

  /** The current estimate; `fresh` asks for a live count even within the interval. */
  async estimate(fresh = false): Promise<number> {
    const now = this.#options.now();
    if (fresh || now - this.#countedAt >= this.#options.minIntervalMs) {
      // Partitions are consumed concurrently: one count answers all who ask at the same moment.
      this.#counting ??= this.#count(now).finally(() => (this.#counting = undefined));
      await this.#counting;
    }
    const estimate = this.#counted + this.#startedSince;
    workflowBacklog.set({ task_queue: this.#options.taskQueue }, estimate);
    return estimate;
  }

  noteStarted(workflowId: string): void {
    this.#startedSince += 1;
    this.#source.noteStarted(workflowId);
  }

  async #count(now: number): Promise<void> {
    // Starts made while the count is on its way may or may not be in it; keep them added.
    const startedBefore = this.#startedSince;
    try {
      this.#counted = await this.#source.count();
      this.#startedSince -= startedBefore;
    } catch (err) {
      if (err instanceof CountUnsupportedError) {
        this.#options.logger.warn(
          `${err.message}; counting the ingest workflows this process started instead`,
        );
        this.#source = this.#fallback();
        this.#counted = 0;
        this.#startedSince = 0;
      } else {
        // Keep the last figure; backpressure must not flap because one count failed.
        this.#options.logger.warn(`could not count running ingest workflows: ${(err as Error).message}`);
      }
    }
    // Failed or not, the next count waits its interval: a down server is not asked on every hand-off.
    this.#countedAt = now;
  }
}

/**
 * The backlog of ingest workflows on `taskQueue`, counted through `client`; `signal` (the consumers
 * stopping) ends the fallback's waits for workflows to finish.
 */
export function ingestBacklogFor(
  client: Client,
  taskQueue: string,
  logger: Logger,
  signal: AbortSignal,
): IngestBacklog {
  return new IngestBacklog(
    visibilityBacklog(client, taskQueue),
    () => inProcessBacklog((id) => workflowEnd(client, id, signal)),
    { taskQueue, logger },
  );
}
