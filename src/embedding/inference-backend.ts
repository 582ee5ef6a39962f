/** A batch ready for the model: `ids` is `[lengths.length, seq]` row-major, padded with 0 on the right. */
export interface PaddedBatch {
  ids: Int32Array;
  lengths: Int32Array;
  seq: number;
}

export interface InferenceResult {
  /** `[batch, dimension]` row-major, L2-normalised. */
  vectors: Float32Array;
  /** Time the forward pass and pooling took, excluding queueing. */
  runMs: number;
}

/** Something that turns padded batches into sentence embeddings, one batch at a time. */
export interface InferenceBackend {
  readonly dimension: number;
  run(batch: PaddedBatch): Promise<InferenceResult>;
  /** Releases the session; runs still in flight may be abandoned. */
  close(): Promise<void>;
}

/** Pads rows of token ids into one `[rows, longest]` batch. */
export function padBatch(rows: readonly (readonly number[])[]): PaddedBatch {
  let seq = 0;
  for (const r of rows) seq = Math.max(seq, r.length);
  const ids = new Int32Array(rows.length * seq);
  const lengths = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    ids.set(r, i * seq);
    lengths[i] = r.length;
  });
  return { ids, lengths, seq };
}
