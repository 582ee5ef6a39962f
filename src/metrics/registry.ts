import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics.ts';

/**
 * The one registry every process serves on /metrics. Module-level metrics: importing this file
 * creates them once per process, and code records into them wherever the work happens.
 */
export const registry = new Registry();

// Resident memory, heap, GC, handles and event-loop lag (nodejs_eventloop_lag_*).
collectProcessMetrics(registry);

// Seconds: from a 1 ms Qdrant point lookup to a 30 s retry-laden batch.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// ---- Ingest ----------------------------------------------------------------------------------

export const ingestDocuments = new Counter({
  name: 'embedstream_ingest_documents_total',
  help: 'Documents written to the index, by operation (upsert or delete).',
  labelNames: ['op'] as const,
  registers: [registry],
});

export const ingestChunks = new Counter({
  name: 'embedstream_ingest_chunks_total',
  help: 'Chunks embedded and upserted.',
  registers: [registry],
});

export const messagesConsumed = new Counter({
  name: 'embedstream_kafka_messages_consumed_total',
  help: 'Kafka messages handed off by the consumers, by topic.',
  labelNames: ['topic'] as const,
  registers: [registry],
});

export const consumerLag = new Gauge({
  name: 'embedstream_consumer_lag_messages',
  help: 'Messages between the high watermark and the committed offset, by topic and partition.',
  labelNames: ['topic', 'partition'] as const,
  registers: [registry],
});

export const workflowBacklog = new Gauge({
  name: 'embedstream_workflow_backlog',
  help: 'Workflows this consumer started that have not completed yet, by task queue (drives backpressure).',
  labelNames: ['task_queue'] as const,
  registers: [registry],
});

export const workflowStartDuration = new Histogram({
  name: 'embedstream_workflow_start_duration_seconds',
  help: 'Time for Temporal to acknowledge a workflow start, by workflow type and outcome (started, started_eagerly, already_started, error).',
  labelNames: ['workflow', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

// ---- Embedding -------------------------------------------------------------------------------

export const embedBatchTexts = new Histogram({
  name: 'embedstream_embed_batch_texts',
  help: 'Texts per embedding batch, by lane (ingest or query).',
  labelNames: ['lane'] as const,
  // Powers of two: the batcher's budgets are, and a query batch is often a single text.
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  registers: [registry],
});

export const embedBatchDuration = new Histogram({
  name: 'embedstream_embed_batch_duration_seconds',
  help: 'Time one embedding batch spends on the ONNX thread, by lane.',
  labelNames: ['lane'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const embedQueueWait = new Histogram({
  name: 'embedstream_embed_queue_wait_seconds',
  help: 'Time texts of a batch waited before inference started, by lane.',
  labelNames: ['lane'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const embedTokens = new Counter({
  name: 'embedstream_embed_tokens_total',
  help: 'Tokens fed to the model, by kind: real (word pieces) or padded (real plus padding).',
  labelNames: ['lane', 'kind'] as const,
  registers: [registry],
});

export const embedTokensPerSecond = new Gauge({
  name: 'embedstream_embed_tokens_per_second',
  help: 'Real tokens per second of inference time over the last batch, by lane.',
  labelNames: ['lane'] as const,
  registers: [registry],
});

export const embedPaddingRatio = new Histogram({
  name: 'embedstream_embed_padding_ratio',
  help: 'Share of a batch’s padded tokens that are padding (0: none wasted).',
  labelNames: ['lane'] as const,
  buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
  registers: [registry],
});

// ---- Qdrant ----------------------------------------------------------------------------------

export const qdrantRequestDuration = new Histogram({
  name: 'embedstream_qdrant_request_duration_seconds',
  help: 'Qdrant request duration, by operation (upsert, delete, query, …) and outcome (ok or the error class).',
  labelNames: ['operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

// ---- Failures --------------------------------------------------------------------------------

export const retries = new Counter({
  name: 'embedstream_retries_total',
  help: 'Attempts after the first, by operation (activity type or client call).',
  labelNames: ['operation'] as const,
  registers: [registry],
});

export const dlqMessages = new Counter({
  name: 'embedstream_dlq_messages_total',
  help: 'Messages routed to a dead-letter topic, by reason.',
  labelNames: ['reason'] as const,
  registers: [registry],
});

// ---- Queries ---------------------------------------------------------------------------------

export const queryCacheLookups = new Counter({
  name: 'embedstream_query_cache_lookups_total',
  help: 'Query-embedding cache lookups, by result (hit or miss).',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const queryCacheHitRatio = new Gauge({
  name: 'embedstream_query_cache_hit_ratio',
  help: 'Hits over lookups of the query-embedding cache since the process started.',
  registers: [registry],
});

export const searchDuration = new Histogram({
  name: 'embedstream_search_duration_seconds',
  help: 'Time to answer a query (embed, search Qdrant, group, re-rank), by outcome (ok or error).',
  labelNames: ['outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
