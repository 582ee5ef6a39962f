import type { Config } from '../src/config/index.ts';
import { createEmbedder } from '../src/embedding/index.ts';
import { percentile } from './embed-query-lane.ts';

export interface Int8Quality {
  texts: number;
  /** Cosine between the int8 and fp32 vectors of the same text. */
  meanCosine: number;
  p1Cosine: number;
  minCosine: number;
  /** Cosine of int8 vectors with the sentence-transformers reference fixture, worst text. */
  minCosineVsReference?: number;
}

function dot(a: Float32Array, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** How far int8 vectors drift from fp32 ones (both unit length, so cosine is the dot product). */
export async function int8Quality(
  config: Config,
  texts: string[],
  reference?: { text: string; embedding: number[] }[],
): Promise<Int8Quality> {
  const fp32 = await createEmbedder({ ...config, precision: 'fp32' }, { queryLane: 'shared' });
  const int8 = await createEmbedder({ ...config, precision: 'int8' }, { queryLane: 'shared' });
  try {
    const a = await fp32.embedDocuments(texts);
    const b = await int8.embedDocuments(texts);
    const cos = a.map((v, i) => dot(v, b[i]!));
    const out: Int8Quality = {
      texts: texts.length,
      meanCosine: cos.reduce((x, y) => x + y, 0) / cos.length,
      p1Cosine: percentile(cos, 1),
      minCosine: Math.min(...cos),
    };
    if (reference && reference.length > 0) {
      const ref = await int8.embedDocuments(reference.map((r) => r.text));
      out.minCosineVsReference = Math.min(...ref.map((v, i) => dot(v, reference[i]!.embedding)));
    }
    return out;
  } finally {
    await Promise.all([fp32.close(), int8.close()]);
  }
}
