import type { RunBatch } from './batch-scheduler.ts';
import type { InferenceBackend, InferenceResult, PaddedBatch } from './inference-backend.ts';

interface Job {
  batch: PaddedBatch;
  resolve: (r: InferenceResult) => void;
  reject: (e: unknown) => void;
}

/**
 * One session shared by the query and bulk lanes, one run at a time, queries first: a query waits at
 * most for the bulk batch already running (preemption between batches), never behind queued ones.
 */
export class SharedSession {
  readonly #backend: InferenceBackend;
  readonly #queries: Job[] = [];
  readonly #bulk: Job[] = [];
  #running = false;

  constructor(backend: InferenceBackend) {
    this.#backend = backend;
  }

  readonly query: RunBatch = (batch) => this.#enqueue(this.#queries, batch);
  readonly bulk: RunBatch = (batch) => this.#enqueue(this.#bulk, batch);

  #enqueue(queue: Job[], batch: PaddedBatch): Promise<InferenceResult> {
    return new Promise((resolve, reject) => {
      queue.push({ batch, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (this.#running) return;
    const job = this.#queries.shift() ?? this.#bulk.shift();
    if (!job) return;
    this.#running = true;
    this.#backend
      .run(job.batch)
      .then(job.resolve, job.reject)
      .finally(() => {
        this.#running = false;
        this.#next();
      });
  }
}
