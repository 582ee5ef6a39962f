/** Messages between the main thread and an inference worker. Typed arrays travel as transfers. */

/** Passed as `workerData` when the worker starts. */
export interface InferenceWorkerData {
  modelPath: string;
  /** ONNX Runtime intra-op threads; 0 lets it use one per core. */
  intraOpThreads: number;
  /**
   * Whether idle intra-op threads spin waiting for work. Spinning shaves latency off back-to-back
   * runs but burns a core, which a second session on a 2-core machine cannot afford.
   */
  allowSpinning: boolean;
  /**
   * Scheduling niceness of the inference thread and of the intra-op threads it creates (Linux nice
   * is per thread and inherited): bulk inference at a higher niceness yields the CPU to queries,
   * heartbeats and the rest of the pipeline, and still takes every idle cycle. 0 leaves it alone.
   */
  niceness?: number;
}

/** One padded batch: `ids` is `[batch, seq]` row-major, row `i` holds `lengths[i]` real ids. */
export interface RunRequest {
  type: 'run';
  id: number;
  ids: Int32Array;
  lengths: Int32Array;
  seq: number;
}

export type ToWorker = RunRequest;

export type FromWorker =
  | { type: 'ready'; dimension: number; inputNames: string[]; outputName: string }
  | { type: 'init-error'; message: string }
  /** `vectors` is `[batch, dimension]` row-major, L2-normalised. */
  | { type: 'result'; id: number; vectors: Float32Array; runMs: number }
  | { type: 'run-error'; id: number; message: string };
