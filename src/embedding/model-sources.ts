import fs from 'node:fs';
import path from 'node:path';
import type { ModelToolchain } from './model-sources-toolchain.ts';

/** The files of a pulled model, under these names in the model directory. */
export const MODEL_FILES = ['model.onnx', 'model-int8.onnx', 'tokenizer.json', 'config.json'] as const;
export type ModelFileName = (typeof MODEL_FILES)[number];

/** What a pull reports while it works; the CLI turns it into lines and a progress bar. */
export type PullEvent =
  | { type: 'step'; message: string }
  | { type: 'bytes'; label: string; done: number; total: number | undefined }
  | { type: 'log'; message: string }
  | { type: 'warning'; message: string };

export interface SourceContext {
  /** An empty directory of this source's own for anything it produces. */
  stagingDir: string;
  /** Where downloads are cached between pulls (~/.cache/embedstream/dl). */
  downloadDir: string;
  toolchain: ModelToolchain;
  fetch: typeof globalThis.fetch;
  emit: (event: PullEvent) => void;
}

/** Paths of the files a source provides; the store makes the int8 graph when it is absent. */
export interface StagedModel {
  /** Where the files came from, in words, for the manifest. */
  origin: string;
  files: { [K in ModelFileName]?: string } & {
    'model.onnx': string;
    'tokenizer.json': string;
    'config.json': string;
  };
  notes: string[];
}

export interface ModelSource {
  /** Short name used in messages, e.g. "EMBED_MODEL_DIR". */
  name: string;
  obtain(ctx: SourceContext): Promise<StagedModel>;
}

/** Thrown by a source that cannot provide the model here; the pull moves on to the next source. */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
}

/**
 * config.json of sentence-transformers/all-MiniLM-L6-v2, written when a local directory ships a
 * model.onnx without one: the engine only reads the architecture from it.
 */
export const MINILM_CONFIG = {
  architectures: ['BertModel'],
  model_type: 'bert',
  hidden_size: 384,
  num_hidden_layers: 6,
  num_attention_heads: 12,
  intermediate_size: 1536,
  hidden_act: 'gelu',
  max_position_embeddings: 512,
  type_vocab_size: 2,
  vocab_size: 30522,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
};

/**
 * EMBED_MODEL_DIR: a directory holding tokenizer.json and either model.onnx or model.safetensors
 * with config.json (converted here). A model-int8.onnx next to them is taken as is.
 */
export function localDirSource(dir: string): ModelSource {
  return {
    name: 'EMBED_MODEL_DIR',
    async obtain(ctx) {
      if (dir === '') throw new SourceUnavailableError('not set');
      if (!fs.existsSync(dir)) throw new SourceUnavailableError(`${dir} does not exist`);
      const at = (name: string) => (fs.existsSync(path.join(dir, name)) ? path.join(dir, name) : undefined);
      const tokenizer = at('tokenizer.json');
      if (!tokenizer) throw new SourceUnavailableError(`${dir} has no tokenizer.json`);
      const notes: string[] = [];
      let config = at('config.json');
      let model = at('model.onnx');
      if (!model) {
        const weights = at('model.safetensors');
        if (!weights || !config)
          throw new SourceUnavailableError(
            `${dir} has neither model.onnx nor model.safetensors with config.json`,
          );
        ctx.emit({ type: 'step', message: `converting ${weights} to ONNX` });
        model = path.join(ctx.stagingDir, 'model.onnx');
        await ctx.toolchain.convert(weights, config, model);
        notes.push('model.onnx converted from model.safetensors by tools/model/convert_to_onnx.py');
      }
      if (!config) {
        config = path.join(ctx.stagingDir, 'config.json');
        fs.writeFileSync(config, `${JSON.stringify(MINILM_CONFIG, null, 2)}\n`);
        notes.push(
          'config.json written from the known all-MiniLM-L6-v2 architecture (none in the directory)',
        );
      }
      const int8 = at('model-int8.onnx');
      return {
        origin: `local directory ${dir}`,
        files: {
          'model.onnx': model,
          'tokenizer.json': tokenizer,
          'config.json': config,
          ...(int8 ? { 'model-int8.onnx': int8 } : {}),
        },
        notes,
      };
    },
  };
}
