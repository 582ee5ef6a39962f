import type { DocumentInput } from '../../workflows/contracts.ts';

export interface BatchLimits {
  /** Documents per batch at most. */
  maxDocs: number;
  /** Serialized bytes per batch at most: the batch is one workflow input, and Temporal caps those at 2 MB. */
  maxBytes: number;
}

/**
 * Groups documents into batches that respect both limits, in input order. A single document larger
 * than `maxBytes` travels alone rather than being dropped; the workflow start then reports its size.
 */
export async function* documentBatches(
  documents: AsyncIterable<DocumentInput> | Iterable<DocumentInput>,
  limits: BatchLimits,
): AsyncGenerator<DocumentInput[]> {
  let batch: DocumentInput[] = [];
  let bytes = 0;
  for await (const doc of documents) {
    const size = Buffer.byteLength(JSON.stringify(doc));
    if (batch.length > 0 && (batch.length >= limits.maxDocs || bytes + size > limits.maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(doc);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
