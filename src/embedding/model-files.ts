import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.ts';

/** Files the engine needs for the configured model and precision. */
export interface ModelFiles {
  modelPath: string;
  tokenizerPath: string;
}

/** Thrown when the model has not been pulled into the cache yet. */
export class ModelNotPulledError extends Error {
  override readonly name = 'ModelNotPulledError';
}

/** Where `embedstream model pull` keeps the configured model. */
export function resolveModelFiles(config: Config): ModelFiles {
  const dir = path.join(config.modelCacheDir, config.modelName);
  const files = {
    modelPath: path.join(dir, config.precision === 'int8' ? 'model-int8.onnx' : 'model.onnx'),
    tokenizerPath: path.join(dir, 'tokenizer.json'),
  };
  for (const file of Object.values(files)) {
    if (!fs.existsSync(file))
      throw new ModelNotPulledError(`${file} is missing: run "embedstream model pull" first (EMBED_CACHE_DIR=${config.modelCacheDir}).`);
  }
  return files;
}
