import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/**
 * Failure types retrying cannot fix (bad input, wrong dimension, configuration). Mirrors
 * NON_RETRYABLE_TYPES in activities/failures.ts, which workflows may not import.
 */
const NON_RETRYABLE = [
  'InvalidDocument',
  'DimensionMismatch',
  'InvalidQdrantRequest',
  'CollectionNotFound',
  'EmptyText',
  'TextEmbeddingFailed',
  'ModelLoadFailed',
];

/**
 * Chunk, embed and upsert one batch: the long activity. It heartbeats every 2 s, so a worker that
 * dies mid-batch is noticed in 30 s and the batch retried elsewhere; transient Qdrant faults back
 * off up to a minute. After `maximumAttempts` the documents go to the dead-letter topic.
 */
export const INGEST: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 12,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

/** Publishing to Kafka: short, retried until it lands (the broker may be restarting). */
export const PUBLISH: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * Answering a query (search, then publish the answer) runs as a local activity on the worker that
 * runs the workflow task: no task-queue round trip, which is most of the latency budget of a query.
 * A query is worth little after a minute; its answer is still published within two.
 */
export const ANSWER_QUERY: LocalActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '100 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

/** Publishing an error answer, also local: it follows the failed search on the same worker. */
export const PUBLISH_ANSWER: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
};
