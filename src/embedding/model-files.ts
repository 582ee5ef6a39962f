import type { Config } from '../config/index.ts';
import { resolveModel } from './model-store.ts';

/** Files the engine needs for the configured model and precision. */
export interface ModelFiles {
  modelPath: string;
  tokenizerPath: string;
}

/**
 * The pulled model's ONNX graph (model.onnx or model-int8.onnx, after EMBED_PRECISION) and tokenizer.
 * Throws ModelNotFoundError, saying to run `embedstream model pull`, when they are not there.
 */
export function resolveModelFiles(config: Config): ModelFiles {
  const { modelPath, tokenizerPath } = resolveModel(config);
  return { modelPath, tokenizerPath };
}
