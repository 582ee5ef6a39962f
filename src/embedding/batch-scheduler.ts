import { paddedTokens, realTokens, type BatchPolicy, type Sized } from './batch-packing.ts';
import type { BudgetController } from './budget-controller.ts';
import { EmbedderClosedError } from './errors.ts';
import { padBatch, type InferenceResult, type PaddedBatch } from './inference-backend.ts';
import { isFiniteRow } from './mean-pooling.ts';

export type Lane = 'bulk' | 'query';

/** Reported once per batch run, for traces and metrics. */
export interface BatchInfo {
  lane: Lane;
  texts: number;
  realTokens: number;
  paddedTokens: number;
  /** Budget the batch was packed with. */
  budget: number;
  /** From the oldest text's arrival to the start of the run. */
  queuedMs: number;
  runMs: number;
  /** False when the run failed (the batch is then split and retried). */
  ok: boolean;
}

/** One text waiting for its vector. */
export interface WorkItem extends Sized {
  ids: number[];
  enqueuedAt: number;
  resolve(vector: Float32Array): void;
  reject(error: Error): void;
}

/** Runs one padded batch; `InferenceBackend.run`, or a lane of a shared session. */
export type RunBatch = (batch: PaddedBatch) => Promise<InferenceResult>;

export interface SchedulerCounters {
  batches: number;
  texts: number;
  realTokens: number;
  paddedTokens: number;
  failedBatches: number;
  failedTexts: number;
}

export interface BatchSchedulerOptions {
  lane: Lane;
  /**
   * The session that runs batches, or one per session: as many batches run at once as there are
   * sessions, and a batch and its retries stay on the one that took it.
   */
  run: RunBatch | readonly RunBatch[];
  dimension: number;
  policy: BatchPolicy;
  controller: BudgetController;
  onBatch?: (info: BatchInfo) => void;
}

/** Thrown (per text) when the model returns NaN or infinite components for it. */
export class NonFiniteVectorError extends Error {
  override readonly name = 'NonFiniteVectorError';
}

/**
 * Feeds each session behind `run` with one batch at a time. Texts that arrive while
 * a round is being worked off wait for the next round; each round is sorted longest first and cut
 * at the controller's current budget batch by batch, so a budget change takes effect on the very
 * next batch, while a steady stream of newcomers can never starve the texts already queued.
 *
 * A batch that fails is split in two and each half retried, down to single texts, so only a text
 * that fails on its own is rejected.
 */
export class BatchScheduler {
  readonly counters: SchedulerCounters = {
    batches: 0,
    texts: 0,
    realTokens: 0,
    paddedTokens: 0,
    failedBatches: 0,
    failedTexts: 0,
  };
  readonly #o: BatchSchedulerOptions;
  #pending: WorkItem[] = [];
  #round: WorkItem[] = [];
  #cursor = 0;
  /** Sessions with no batch to run. */
  readonly #free: RunBatch[];
  /** The batches being run (and their retries), whose texts close() settles if still waiting. */
  readonly #running = new Set<WorkItem[]>();
  #closed = false;

  constructor(options: BatchSchedulerOptions) {
    this.#o = options;
    this.#free = typeof options.run === 'function' ? [options.run] : [...options.run];
  }

  /** Texts waiting, not counting the batch being run. */
  get queueDepth(): number {
    return this.#pending.length + this.#round.length - this.#cursor;
  }

  submit(items: readonly WorkItem[]): void {
    if (this.#closed) {
      for (const item of items) item.reject(new EmbedderClosedError());
      return;
    }
    this.#pending.push(...items);
    this.#pump();
  }

  /** Rejects everything queued or running; a run in progress is abandoned. */
  close(): void {
    this.#closed = true;
    const left = [...[...this.#running].flat(), ...this.#round.slice(this.#cursor), ...this.#pending];
    this.#running.clear();
    this.#round = [];
    this.#cursor = 0;
    this.#pending = [];
    for (const item of left) item.reject(new EmbedderClosedError());
  }

  #pump(): void {
    while (this.#free.length > 0) {
      const next = this.#nextBatch();
      if (!next) return;
      const run = this.#free.shift()!;
      this.#running.add(next.items);
      this.#execute(run, next.items, next.budget, next.full)
        .catch(() => undefined) // #execute settles every item itself
        .finally(() => {
          this.#running.delete(next.items);
          this.#free.push(run);
          this.#pump();
        });
    }
  }

  #nextBatch(): { items: WorkItem[]; budget: number; full: boolean } | undefined {
    if (this.#cursor >= this.#round.length) {
      if (this.#pending.length === 0) return undefined;
      this.#round = this.#pending;
      this.#pending = [];
      this.#cursor = 0;
      if (this.#o.policy.kind === 'token-budget') this.#round.sort((a, b) => b.tokens - a.tokens);
    }
    const rest = this.#round.length - this.#cursor;
    const budget = this.#o.controller.budget;
    let count: number;
    let full: boolean;
    if (this.#o.policy.kind === 'token-budget') {
      // Longest first: the first text sets the width of the batch.
      const wanted = Math.max(1, Math.floor(budget / Math.max(1, this.#round[this.#cursor]!.tokens)));
      count = Math.min(wanted, rest);
      full = wanted <= rest && wanted > 1;
    } else {
      count = Math.min(this.#o.policy.size, rest);
      full = count === this.#o.policy.size;
    }
    const items = this.#round.slice(this.#cursor, this.#cursor + count);
    this.#cursor += count;
    if (this.#cursor >= this.#round.length) {
      this.#round = [];
      this.#cursor = 0;
    }
    return { items, budget, full };
  }

  async #execute(run: RunBatch, items: WorkItem[], budget: number, full: boolean): Promise<void> {
    const started = performance.now();
    let queuedMs = 0;
    for (const item of items) queuedMs = Math.max(queuedMs, started - item.enqueuedAt);
    const real = realTokens(items);
    const padded = paddedTokens(items);
    let result: InferenceResult;
    try {
      result = await run(padBatch(items.map((i) => i.ids)));
    } catch (err) {
      this.counters.failedBatches++;
      this.#report({ items, real, padded, budget, queuedMs, runMs: performance.now() - started, ok: false });
      await this.#recover(run, items, budget, err);
      return;
    }
    const { vectors, runMs } = result;
    const dim = this.#o.dimension;
    items.forEach((item, row) => {
      if (isFiniteRow(vectors, row, dim)) item.resolve(vectors.subarray(row * dim, (row + 1) * dim));
      else {
        this.counters.failedTexts++;
        item.reject(new NonFiniteVectorError('the model returned non-finite components'));
      }
    });
    this.counters.batches++;
    this.counters.texts += items.length;
    this.counters.realTokens += real;
    this.counters.paddedTokens += padded;
    this.#o.controller.observe({
      budget,
      realTokens: real,
      paddedTokens: padded,
      seq: padded / items.length,
      runMs,
      full,
    });
    this.#report({ items, real, padded, budget, queuedMs, runMs, ok: true });
  }

  async #recover(run: RunBatch, items: WorkItem[], budget: number, err: unknown): Promise<void> {
    if (err instanceof EmbedderClosedError || this.#closed) {
      for (const item of items) item.reject(err instanceof Error ? err : new EmbedderClosedError());
      return;
    }
    if (items.length === 1) {
      this.counters.failedTexts++;
      items[0]!.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const half = Math.ceil(items.length / 2);
    await this.#execute(run, items.slice(0, half), budget, false);
    await this.#execute(run, items.slice(half), budget, false);
  }

  #report(r: {
    items: WorkItem[];
    real: number;
    padded: number;
    budget: number;
    queuedMs: number;
    runMs: number;
    ok: boolean;
  }): void {
    if (!this.#o.onBatch) return;
    const info: BatchInfo = {
      lane: this.#o.lane,
      texts: r.items.length,
      realTokens: r.real,
      paddedTokens: r.padded,
      budget: r.budget,
      queuedMs: r.queuedMs,
      runMs: r.runMs,
      ok: r.ok,
    };
    try {
      this.#o.onBatch(info);
    } catch {
      // An observer that throws must not lose vectors; telemetry is best effort.
    }
  }
}
