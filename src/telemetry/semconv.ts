/**
 * Semantic-convention names this project uses that are still "incubating" upstream, copied here so
 * a renaming in @opentelemetry/semantic-conventions changes one file, and project-specific attribute
 * names (`embedstream.*`) so span producers and the bottleneck report agree on them.
 */

// Messaging (https://opentelemetry.io/docs/specs/semconv/messaging/kafka/), incubating.
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_MESSAGE_BODY_SIZE = 'messaging.message.body.size';
export const MESSAGING_SYSTEM_VALUE_KAFKA = 'kafka';
export const MESSAGING_OPERATION_TYPE_VALUE_SEND = 'send';
export const MESSAGING_OPERATION_TYPE_VALUE_RECEIVE = 'receive';
export const MESSAGING_OPERATION_TYPE_VALUE_PROCESS = 'process';

// Database client spans (https://opentelemetry.io/docs/specs/semconv/database/), incubating for Qdrant.
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_COLLECTION_NAME = 'db.collection.name';
export const DB_SYSTEM_VALUE_QDRANT = 'qdrant';

// Project attributes: what the spans that explain cost carry.
export const ATTR_DOCUMENT_ID = 'embedstream.document.id';
export const ATTR_DOCUMENT_COUNT = 'embedstream.documents';
export const ATTR_CHUNK_COUNT = 'embedstream.chunks';
export const ATTR_EMBED_TEXTS = 'embedstream.embed.texts';
export const ATTR_EMBED_REAL_TOKENS = 'embedstream.embed.real_tokens';
export const ATTR_EMBED_PADDED_TOKENS = 'embedstream.embed.padded_tokens';
export const ATTR_EMBED_PADDING_RATIO = 'embedstream.embed.padding_ratio';
export const ATTR_EMBED_TOKEN_BUDGET = 'embedstream.embed.budget';
export const ATTR_EMBED_QUEUED_MS = 'embedstream.embed.queued_ms';
/** Time the batch spent on the ONNX thread. */
export const ATTR_EMBED_RUN_MS = 'embedstream.embed.run_ms';
export const ATTR_EMBED_LANE = 'embedstream.embed.lane';
export const ATTR_QDRANT_POINTS = 'embedstream.qdrant.points';
export const ATTR_QDRANT_BYTES = 'embedstream.qdrant.bytes';
export const ATTR_SEARCH_TOP_K = 'embedstream.search.top_k';
export const ATTR_SEARCH_FILTER = 'embedstream.search.filter';
export const ATTR_SEARCH_HITS = 'embedstream.search.hits';
export const ATTR_DLQ_REASON = 'embedstream.dlq.reason';

/** Span names shared by the code that makes them and the report that reads them. */
export const SPAN = {
  chunk: 'chunk',
  tokenize: 'tokenize',
  embedBatch: 'embed.batch',
  /** An activity waiting for the engine to embed its chunks (queue and inference). */
  embedDocuments: 'embed.documents',
  qdrantPrefix: 'qdrant.',
  dlqRoute: 'dlq.route',
  search: 'search',
} as const;
