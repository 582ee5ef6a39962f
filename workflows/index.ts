// The workflow bundle's entry point: only workflow functions are exported from here.
export { ingestBatch } from './ingest-batch.ts';
export { searchQuery } from './search-query.ts';
