import { Worker } from 'node:worker_threads';
import { EmbedderClosedError, InferenceRunError, ModelLoadError } from './errors.ts';
import type { InferenceBackend, InferenceResult, PaddedBatch } from './inference-backend.ts';
import type { FromWorker, InferenceWorkerData, ToWorker } from './inference-protocol.ts';

const WORKER_URL = new URL('./inference-worker.ts', import.meta.url);

interface Pending {
  resolve: (r: InferenceResult) => void;
  reject: (e: Error) => void;
}

/**
 * An ONNX session living in a worker thread. Batches go over as transferred buffers and vectors come
 * back the same way, so nothing is copied. If the worker dies (a native crash, out of memory) the
 * runs in flight fail with a retryable error and the next run starts a fresh worker.
 */
export class WorkerInference implements InferenceBackend {
  readonly #options: InferenceWorkerData & { name: string };
  readonly #pending = new Map<number, Pending>();
  #worker: Promise<Worker> | undefined;
  #nextId = 1;
  #closed = false;
  dimension = 0;

  private constructor(options: InferenceWorkerData & { name: string }) {
    this.#options = options;
  }

  /** Starts the worker and waits until its session is loaded. */
  static async start(options: InferenceWorkerData & { name: string }): Promise<WorkerInference> {
    const backend = new WorkerInference(options);
    await backend.#spawn();
    return backend;
  }

  async run(batch: PaddedBatch): Promise<InferenceResult> {
    if (this.#closed) throw new EmbedderClosedError();
    const worker = await this.#spawn();
    const id = this.#nextId++;
    return new Promise<InferenceResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const msg: ToWorker = { type: 'run', id, ids: batch.ids, lengths: batch.lengths, seq: batch.seq };
      worker.postMessage(msg, [batch.ids.buffer as ArrayBuffer, batch.lengths.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new EmbedderClosedError());
    const worker = await this.#worker?.catch(() => undefined);
    if (worker) await worker.terminate();
  }

  #spawn(): Promise<Worker> {
    if (this.#worker) return this.#worker;
    const started: Promise<Worker> = new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: this.#options, name: this.#options.name });
      let ready = false;
      worker.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready':
            ready = true;
            this.dimension = msg.dimension;
            resolve(worker);
            break;
          case 'init-error':
            reject(new ModelLoadError(this.#options.modelPath, msg.message));
            void worker.terminate();
            break;
          case 'result':
            this.#settle(msg.id)?.resolve({ vectors: msg.vectors, runMs: msg.runMs });
            break;
          case 'run-error':
            this.#settle(msg.id)?.reject(new InferenceRunError(`inference failed: ${msg.message}`));
            break;
        }
      });
      worker.on('error', (err: Error) => {
        if (!ready) reject(new ModelLoadError(this.#options.modelPath, err.message));
        this.#lost(started, `inference worker crashed: ${err.message}`);
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new ModelLoadError(this.#options.modelPath, `worker exited with code ${code}`));
        this.#lost(started, `inference worker exited with code ${code}`);
      });
    });
    this.#worker = started;
    // A worker that failed to start is not kept, so the next run tries again.
    started.catch(() => {
      if (this.#worker === started) this.#worker = undefined;
    });
    return started;
  }

  #lost(worker: Promise<Worker>, reason: string): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#failAll(new InferenceRunError(reason));
  }

  #settle(id: number): Pending | undefined {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    return p;
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
