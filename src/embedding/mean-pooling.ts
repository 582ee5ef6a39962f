/**
 * Sentence embeddings from token embeddings: the mean over each row's real tokens (the attention
 * mask is 1 exactly on the first `lengths[i]` positions, since padding is on the right), then L2
 * normalisation, as sentence-transformers' Pooling + Normalize modules do.
 *
 * @param hidden `[batch, seq, dim]` row-major token embeddings
 * @returns `[batch, dim]` row-major unit vectors
 */
export function meanPoolNormalize(
  hidden: Float32Array,
  lengths: Int32Array,
  seq: number,
  dim: number,
): Float32Array {
  const batch = lengths.length;
  const out = new Float32Array(batch * dim);
  // Accumulate in float64: summing 256 float32 values loses digits the fixture comparison can see.
  const acc = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    const len = lengths[b]!;
    acc.fill(0);
    const rowStart = b * seq * dim;
    for (let t = 0; t < len; t++) {
      const base = rowStart + t * dim;
      for (let d = 0; d < dim; d++) acc[d]! += hidden[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      acc[d]! /= Math.max(len, 1);
      norm += acc[d]! * acc[d]!;
    }
    // sentence-transformers divides by max(norm, 1e-12); a zero vector stays zero instead of NaN.
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    const outStart = b * dim;
    for (let d = 0; d < dim; d++) out[outStart + d] = acc[d]! * scale;
  }
  return out;
}

/** True when every component of row `row` is a finite number. */
export function isFiniteRow(vectors: Float32Array, row: number, dim: number): boolean {
  const start = row * dim;
  for (let d = 0; d < dim; d++) if (!Number.isFinite(vectors[start + d]!)) return false;
  return true;
}
