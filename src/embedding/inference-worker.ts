/**
 * Inference worker: owns one ONNX Runtime session and runs batches off the main thread, since
 * `session.run` blocks its thread for the whole forward pass (seconds for a large batch).
 * Receives padded int32 ids, returns pooled, normalised float32 vectors; both travel as transfers.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { meanPoolNormalize } from './mean-pooling.ts';
import type { FromWorker, InferenceWorkerData, RunRequest } from './inference-protocol.ts';

const CLS_ID = 101;
const SEP_ID = 102;

const port = parentPort;
if (!port) throw new Error('inference-worker.ts must be started as a worker thread.');
const data = workerData as InferenceWorkerData;

function send(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

/** int64 tensor data from int32 ids, written as (low, high) word pairs to avoid a BigInt per element. */
function idsToInt64(ids: Int32Array): BigInt64Array {
  const out = new BigInt64Array(ids.length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < ids.length; i++) words[2 * i] = ids[i]!;
  return out;
}

/** int64 attention mask: 1 on the first `lengths[r]` positions of row r, 0 on the padding. */
function maskToInt64(lengths: Int32Array, seq: number): BigInt64Array {
  const out = new BigInt64Array(lengths.length * seq);
  const words = new Int32Array(out.buffer);
  lengths.forEach((len, r) => {
    for (let t = 0; t < len; t++) words[2 * (r * seq + t)] = 1;
  });
  return out;
}

/** Lowers this thread's priority before the session creates its pool, whose threads inherit it. */
function applyNiceness(niceness: number | undefined): void {
  if (!niceness) return;
  try {
    // pid 0 is the calling thread on Linux, where nice values are per thread.
    os.setPriority(0, niceness);
  } catch {
    // Not permitted or not supported (e.g. raising priority without privileges): run at normal priority.
  }
}

async function open(): Promise<{ session: InferenceSession; outputName: string; dimension: number }> {
  applyNiceness(data.niceness);
  const session = await InferenceSession.create(data.modelPath, {
    intraOpNumThreads: data.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    // Every batch has a new shape; memory patterns only pay off for repeated shapes.
    enableMemPattern: false,
    extra: { session: { 'intra_op.allow_spinning': data.allowSpinning ? '1' : '0' } },
  });
  const outputName = session.outputNames.includes('last_hidden_state')
    ? 'last_hidden_state'
    : session.outputNames[0]!;
  // A first run sizes the arenas and tells the embedding width.
  const probe = await forward(
    session,
    outputName,
    Int32Array.from([CLS_ID, SEP_ID]),
    Int32Array.from([2]),
    2,
  );
  return { session, outputName, dimension: probe.dimension };
}

async function forward(
  session: InferenceSession,
  outputName: string,
  ids: Int32Array,
  lengths: Int32Array,
  seq: number,
): Promise<{ vectors: Float32Array; dimension: number }> {
  const batch = lengths.length;
  const count = batch * seq;
  const dims = [batch, seq];
  const feeds: Record<string, Tensor> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') feeds[name] = new Tensor('int64', idsToInt64(ids), dims);
    else if (name === 'attention_mask') feeds[name] = new Tensor('int64', maskToInt64(lengths, seq), dims);
    else if (name === 'token_type_ids') feeds[name] = new Tensor('int64', new BigInt64Array(count), dims);
    else throw new Error(`the model has an unexpected input "${name}"`);
  }
  const results = await session.run(feeds, [outputName]);
  const hidden = results[outputName];
  if (!hidden || hidden.dims.length !== 3) throw new Error(`output "${outputName}" is not [batch, seq, dim]`);
  const dimension = hidden.dims[2]!;
  const vectors = meanPoolNormalize(hidden.data as Float32Array, lengths, seq, dimension);
  hidden.dispose();
  return { vectors, dimension };
}

async function main(): Promise<void> {
  let opened: Awaited<ReturnType<typeof open>>;
  try {
    opened = await open();
  } catch (err) {
    send({ type: 'init-error', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  const { session, outputName, dimension } = opened;
  // Runs are serialised: the session already uses every intra-op thread it was given.
  let chain = Promise.resolve();
  port!.on('message', (msg: RunRequest) => {
    chain = chain.then(() => run(msg));
  });
  async function run(req: RunRequest): Promise<void> {
    const started = performance.now();
    try {
      const { vectors } = await forward(session, outputName, req.ids, req.lengths, req.seq);
      send({ type: 'result', id: req.id, vectors, runMs: performance.now() - started }, [
        vectors.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      send({ type: 'run-error', id: req.id, message: err instanceof Error ? err.message : String(err) });
    }
  }
  send({ type: 'ready', dimension, inputNames: [...session.inputNames], outputName });
}

await main();
