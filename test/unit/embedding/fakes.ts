import type { EmbeddingTokenizer } from '../../../src/embedding/embedder.ts';
import type {
  InferenceBackend,
  InferenceResult,
  PaddedBatch,
} from '../../../src/embedding/inference-backend.ts';
import type { WordPieces } from '../../../src/embedding/tokenizer.ts';

export const DIM = 4;
export const POISON = 'poison';
export const NAN_TEXT = 'nan';
const POISON_ID = 9000;
const NAN_ID = 9001;

/** One id per word (its length + 1000), framed by [CLS] and [SEP]; "poison" and "nan" get marker ids. */
export class FakeTokenizer implements EmbeddingTokenizer {
  readonly maxTokens = 16;
  calls = 0;

  encodeForModel(texts: readonly string[]): Promise<number[][]> {
    this.calls++;
    return Promise.resolve(
      texts.map((t) => {
        const words = t
          .trim()
          .split(/\s+/)
          .slice(0, this.maxTokens - 2);
        return [
          101,
          ...words.map((w) => (w === POISON ? POISON_ID : w === NAN_TEXT ? NAN_ID : 1000 + w.length)),
          102,
        ];
      }),
    );
  }

  encodeWithOffsets(text: string): Promise<WordPieces> {
    return Promise.resolve({
      ids: [...text].map(() => 1),
      offsets: [...text].map((_, i): [number, number] => [i, i + 1]),
    });
  }

  countTokens(text: string): Promise<number> {
    return Promise.resolve(text.length);
  }
}

/** Rows of one padded batch, without padding. */
export function rowsOf(batch: PaddedBatch): number[][] {
  return Array.from(batch.lengths, (len, i) =>
    Array.from(batch.ids.subarray(i * batch.seq, i * batch.seq + len)),
  );
}

/**
 * A backend whose vector for a row is [length, sum of ids, first word id, 1], that fails any batch
 * holding the poison id and returns NaN for the "nan" row. `hold()` makes runs wait until `release()`.
 */
export class FakeBackend implements InferenceBackend {
  readonly dimension = DIM;
  readonly batches: number[][][] = [];
  closed = false;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  async run(batch: PaddedBatch): Promise<InferenceResult> {
    const rows = rowsOf(batch);
    this.batches.push(rows);
    if (this.#gate) await this.#gate;
    if (rows.some((r) => r.includes(POISON_ID))) throw new Error('simulated runtime failure');
    const vectors = new Float32Array(rows.length * DIM);
    rows.forEach((r, i) => {
      vectors.set(
        [r.length, r.reduce((a, b) => a + b, 0), r[1] ?? 0, r.includes(NAN_ID) ? Number.NaN : 1],
        i * DIM,
      );
    });
    return { vectors, runMs: 1 };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(times = 10): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setImmediate(r));
}
