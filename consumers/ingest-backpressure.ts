import type { Logger } from '../src/kafka/logger.ts';

/** The backlog as backpressure reads it. */
export interface BacklogEstimate {
  estimate(fresh?: boolean): Promise<number>;
}

export interface BackpressureOptions {
  /** Running ingest workflows at most (INGEST_MAX_BACKLOG); consumption resumes below half. */
  maxBacklog: number;
  logger: Logger;
  /** How often a paused consumer looks at the backlog again. */
  pollMs?: number;
}

/** Pauses one partition and returns what resumes it (kafkajs' `eachBatch` `pause`). */
export type PausePartition = () => () => void;

/**
 * Keeps the ingest workflow backlog bounded. Before each hand-off the consumer asks `admit()`; at
 * the limit the partition asking is paused (the rest of its batch is handed back, unresolved), as
 * is every other partition that asks while paused, and the backlog is polled until it drains
 * below half; then all of them resume. The gap between the two thresholds keeps the consumer from
 * flapping at the limit.
 */
export class IngestBackpressure {
  readonly #backlog: BacklogEstimate;
  readonly #options: Required<BackpressureOptions>;
  #paused = false;
  readonly #resumers: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(backlog: BacklogEstimate, options: BackpressureOptions) {
    this.#backlog = backlog;
    this.#options = { pollMs: 1000, ...options };
  }

  get paused(): boolean {
    return this.#paused;
  }

  get resumeBelow(): number {
    return this.#options.maxBacklog / 2;
  }

  /** May one more ingest workflow start now? When not, `pause` is called until the backlog drains. */
  async admit(pause: PausePartition): Promise<boolean> {
    if (!this.#paused) {
      const backlog = await this.#backlog.estimate();
      if (backlog < this.#options.maxBacklog) return true;
      if (!this.#paused) {
        this.#paused = true;
        this.#options.logger.info(
          `pausing: ${backlog} ingest workflows running (INGEST_MAX_BACKLOG=${this.#options.maxBacklog}); resuming below ${this.resumeBelow}`,
        );
        this.#schedule();
      }
    }
    this.#resumers.push(pause());
    return false;
  }

  /** Checks the backlog once; resumes when it has drained below half. Called by the poll timer. */
  async check(): Promise<void> {
    if (!this.#paused || this.#stopped) return;
    let backlog: number;
    try {
      backlog = await this.#backlog.estimate(true);
    } catch (err) {
      this.#options.logger.warn(`could not read the ingest backlog: ${(err as Error).message}`);
      backlog = Number.POSITIVE_INFINITY;
    }
    if (this.#stopped) return;
    if (backlog < this.resumeBelow) {
      this.#paused = false;
      this.#options.logger.info(`resuming: ${backlog} ingest workflows running`);
      for (const resume of this.#resumers.splice(0)) resume();
    } else {
      this.#schedule();
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.check(), this.#options.pollMs);
    // A paused consumer that is being shut down must not be kept alive by this timer.
    this.#timer.unref();
  }
}
