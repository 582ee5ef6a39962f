import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Config } from '../src/config/index.ts';
import { createEmbedder, type EmbedderOptions, type ModelFiles } from '../src/embedding/index.ts';
import { packByTokenBudget } from '../src/embedding/batch-packing.ts';
import { meanPoolNormalize } from '../src/embedding/mean-pooling.ts';

/** Throughput of one timed run over the whole corpus. */
export interface RunResult {
  seconds: number;
  docsPerSec: number;
  realTokensPerSec: number;
  paddingRatio?: number;
  /** Budget the adaptive controller ended at. */
  finalBudget?: number;
  batches?: number;
  /** 1-minute load average of the machine when the run started. */
  loadAverage?: number;
}

export interface Corpus {
  texts: string[];
  /** Model ids of each text ([CLS] … [SEP], cut at the maximum). */
  ids: number[][];
  realTokens: number;
}

function result(corpus: Corpus, seconds: number, extra: Partial<RunResult> = {}): RunResult {
  return {
    seconds,
    docsPerSec: corpus.texts.length / seconds,
    realTokensPerSec: corpus.realTokens / seconds,
    ...extra,
  };
}

/**
 * The limit: onnxruntime-node on the calling thread, texts already tokenized, sorted by length and
 * packed at `budget`, nothing else (no worker, no queue). Same session options as the engine's worker.
 */
export async function runRaw(
  modelPath: string,
  threads: number,
  corpus: Corpus,
  budget: number,
  allowSpinning: boolean,
): Promise<RunResult> {
  const session = await InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableMemPattern: false,
    extra: { session: { 'intra_op.allow_spinning': allowSpinning ? '1' : '0' } },
  });
  const items = corpus.ids.map((ids) => ({ ids, tokens: ids.length }));
  const batches = packByTokenBudget(items, budget);
  let padded = 0;
  const started = performance.now();
  for (const batch of batches) {
    const seq = batch[0]!.tokens;
    const n = batch.length * seq;
    padded += n;
    const ids = new BigInt64Array(n);
    const mask = new BigInt64Array(n);
    const lengths = new Int32Array(batch.length);
    batch.forEach((row, r) => {
      lengths[r] = row.tokens;
      row.ids.forEach((id, t) => {
        ids[r * seq + t] = BigInt(id);
        mask[r * seq + t] = 1n;
      });
    });
    const dims = [batch.length, seq];
    const out = await session.run({
      input_ids: new Tensor('int64', ids, dims),
      attention_mask: new Tensor('int64', mask, dims),
      token_type_ids: new Tensor('int64', new BigInt64Array(n), dims),
    });
    const hidden = out.last_hidden_state!;
    meanPoolNormalize(hidden.data as Float32Array, lengths, seq, hidden.dims[2]!);
  }
  const seconds = (performance.now() - started) / 1000;
  await session.release();
  return result(corpus, seconds, { paddingRatio: 1 - corpus.realTokens / padded, batches: batches.length });
}

/**
 * The engine as the workers use it, on a fresh embedder (so the adaptive controller starts cold every
 * time), with dedup off so repetitions embed everything again. Times one embedDocuments call over the
 * corpus, tokenization included.
 */
export async function runEngine(config: Config, corpus: Corpus, opts: EmbedderOptions): Promise<RunResult> {
  const embedder = await createEmbedder(config, { dedupCacheSize: 0, ...opts });
  try {
    const started = performance.now();
    await embedder.embedDocuments(corpus.texts);
    const seconds = (performance.now() - started) / 1000;
    const s = embedder.stats();
    return result(corpus, seconds, {
      paddingRatio: s.paddingRatio,
      finalBudget: s.budget,
      batches: s.batches,
    });
  } finally {
    await embedder.close();
  }
}

/**
 * transformers.js expects `<model>/onnx/model.onnx` beside config.json and the tokenizer files: a temp
 * folder of symlinks gives it that layout. Its tokenizer cuts at model_max_length (512 in the shipped
 * tokenizer_config.json), so the copy says 256, as the engine does, to compare equal work.
 */
export function transformersModelDir(
  files: ModelFiles,
  maxTokens: number,
  tokenizerConfigPath: string,
): { root: string; id: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'embed-bench-'));
  const dir = path.join(root, 'all-MiniLM-L6-v2');
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.symlinkSync(files.modelPath, path.join(dir, 'onnx', 'model.onnx'));
  fs.symlinkSync(files.tokenizerPath, path.join(dir, 'tokenizer.json'));
  fs.symlinkSync(path.join(path.dirname(files.modelPath), 'config.json'), path.join(dir, 'config.json'));
  const tokConfig = JSON.parse(fs.readFileSync(tokenizerConfigPath, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ ...tokConfig, model_max_length: maxTokens }),
  );
  return { root, id: 'all-MiniLM-L6-v2' };
}

/** @huggingface/transformers feature-extraction (mean pooling, normalised) in batches of 32 in arrival order. */
export async function runTransformers(
  root: string,
  id: string,
  threads: number,
  corpus: Corpus,
): Promise<RunResult> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = root;
  const extractor = await pipeline('feature-extraction', id, {
    dtype: 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  });
  try {
    const started = performance.now();
    for (let i = 0; i < corpus.texts.length; i += 32) {
      const out = await extractor(corpus.texts.slice(i, i + 32), { pooling: 'mean', normalize: true });
      out.dispose();
    }
    return result(corpus, (performance.now() - started) / 1000);
  } finally {
    await extractor.dispose();
  }
}
