export {
  VectorStore,
  type ChunkPayload,
  type ChunkPoint,
  type ScoredChunk,
  type QueryOptions,
  type StaleSelector,
} from './vector-store.ts';
export { chunkPointId, uuidV5 } from './point-id.ts';
export { prepareCollection } from './prepare-collection.ts';
export {
  VectorStoreError,
  TransientStoreError,
  DimensionMismatchError,
  InvalidStoreRequestError,
  CollectionNotFoundError,
  classifyQdrantError,
} from './store-errors.ts';
