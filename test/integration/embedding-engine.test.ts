import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import {
  createEmbedder,
  loadTokenizer,
  ModelLoadError,
  resolveModelFiles,
  TextEmbeddingError,
  type BatchInfo,
  type Embedder,
} from '../../src/embedding/index.ts';
import { buildCorpus } from '../../bench/embed-corpus.ts';

const config = loadConfig({});
const files = resolveModelFiles(config);
const NFCORPUS = path.resolve(import.meta.dirname, '../../../shared/datasets/nfcorpus/corpus.jsonl');
/** 300 texts of mixed lengths (the benchmark's corpus generator, a smaller cut). */
const texts = buildCorpus(NFCORPUS, 300, 99);

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('embedding engine on the real model', () => {
  let embedder: Embedder;
  const batches: BatchInfo[] = [];
  beforeAll(async () => {
    embedder = await createEmbedder(config, { onBatch: (b) => batches.push(b) });
  });
  afterAll(() => embedder?.close());

  it('when texts of mixed lengths are embedded together, then each vector is the one the text gets alone', async () => {
    const vectors = await embedder.embedDocuments(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const i of [0, 7, 42, 150, 299]) {
      const alone = await embedder.embedQuery(texts[i]!);
      expect(dot(alone, vectors[i]!)).toBeGreaterThan(0.99999);
    }
    for (const v of vectors) expect(Math.abs(dot(v, v) - 1)).toBeLessThan(1e-5);
  });

  it('when the bulk lane has worked, then stats and batch reports add up and padding stays low', () => {
    const s = embedder.stats();
    const bulk = batches.filter((b) => b.lane === 'bulk' && b.ok);
    expect(s.batches).toBe(bulk.length);
    expect(bulk.reduce((a, b) => a + b.texts, 0)).toBe(s.texts);
    expect(bulk.reduce((a, b) => a + b.realTokens, 0)).toBe(s.realTokens);
    expect(s.texts).toBe(texts.length);
    expect(s.paddingRatio).toBeLessThan(0.2);
    expect(s.budget).toBeGreaterThanOrEqual(config.tokenBudgetMin);
    expect(s.budget).toBeLessThanOrEqual(config.tokenBudgetMax);
    for (const b of bulk) expect(b.paddedTokens).toBeLessThanOrEqual(Math.max(b.budget, config.maxTokens));
  });

  it('when the same texts come again, then they are answered from the dedup cache without a batch', async () => {
    const before = embedder.stats();
    await embedder.embedDocuments(texts.slice(0, 50));
    const after = embedder.stats();
    expect(after.batches).toBe(before.batches);
    expect(after.dedupHits - before.dedupHits).toBe(50);
  });

  it('when a query comes while a bulk embed runs, then it is answered before the bulk work ends', async () => {
    const fresh = texts.slice(0, 150).map((t) => `${t} (again)`);
    let bulkDone = false;
    const bulk = embedder.embedDocuments(fresh).then(() => (bulkDone = true));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const q = await embedder.embedQuery('does vitamin d lower the risk of breast cancer');
    const ms = performance.now() - started;
    expect(bulkDone).toBe(false);
    expect(q).toHaveLength(embedder.dimension);
    expect(batches.some((b) => b.lane === 'query')).toBe(true);
    await bulk;
    expect(ms).toBeLessThan(2000);
  });
});

describe('recovery on the real model', () => {
  it('when one text makes onnxruntime fail, then its batch is split and only that text fails, with a typed error', async () => {
    // A token id past the vocabulary makes the embedding lookup fail inside onnxruntime.
    const real = loadTokenizer(files.tokenizerPath, { maxTokens: config.maxTokens });
    const tokenizer = {
      maxTokens: real.maxTokens,
      encodeWithOffsets: (t: string) => real.encodeWithOffsets(t),
      countTokens: (t: string) => real.countTokens(t),
      encodeForModel: async (batch: readonly string[]) =>
        (await real.encodeForModel(batch)).map((ids, i) =>
          batch[i] === 'OUT OF VOCABULARY' ? [101, 999_999, 102] : ids,
        ),
    };
    const reports: BatchInfo[] = [];
    const embedder = await createEmbedder(config, {
      tokenizer,
      queryLane: 'shared',
      onBatch: (b) => reports.push(b),
    });
    try {
      const input = [
        'first text',
        'second, a little longer text',
        'OUT OF VOCABULARY',
        'fourth',
        'fifth text here',
      ];
      const outcomes = await embedder.embedDocumentsSettled(input);
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true]);
      const failure = outcomes[2]!;
      expect(failure.ok ? undefined : failure.error).toBeInstanceOf(TextEmbeddingError);
      expect(failure.ok ? undefined : failure.error).toMatchObject({ index: 2, retryable: false });
      expect(reports.filter((r) => !r.ok).length).toBeGreaterThanOrEqual(2);
      // The engine is still usable afterwards.
      expect(await embedder.embedDocuments(['still working'])).toHaveLength(1);
    } finally {
      await embedder.close();
    }
  });
});

describe('start-up', () => {
  it('when the model file is not an ONNX model, then createEmbedder fails with a ModelLoadError that says how to fix it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embed-bad-model-'));
    const modelPath = path.join(dir, 'model.onnx');
    fs.writeFileSync(modelPath, 'this is not a protobuf');
    try {
      const started = createEmbedder(config, { files: { modelPath, tokenizerPath: files.tokenizerPath } });
      await expect(started).rejects.toBeInstanceOf(ModelLoadError);
      await expect(started).rejects.toThrow(/embedstream model pull/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
