export { bulkSessionThreads, createEmbedder, type EmbedderOptions } from './create-embedder.ts';
export type { Embedder, EmbedderStats, EmbedOutcome, EmbeddingTokenizer } from './embedder.ts';
export type { BatchInfo, Lane } from './batch-scheduler.ts';
export type { BatchPolicy } from './batch-packing.ts';
export { loadTokenizer, TextTokenizer, type WordPieces } from './tokenizer.ts';
export { resolveModelFiles, type ModelFiles } from './model-files.ts';
export { ModelNotFoundError } from './model-store.ts';
export {
  EmbeddingError,
  EmptyTextError,
  TextEmbeddingError,
  EmbedderClosedError,
  ModelLoadError,
  InferenceRunError,
} from './errors.ts';
