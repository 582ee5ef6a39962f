import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import type { Config } from '../config/index.ts';
import { temporalClientInterceptors } from '../telemetry/temporal.ts';

/** Thrown when the Temporal frontend cannot be reached at start-up. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

/** Thrown when no worker serves the task queue a command would start a workflow on. */
export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

// temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
const WORKFLOW_TASK_QUEUE = 1;

/**
 * Fails at once when no worker has polled `taskQueue` lately (Temporal remembers a queue's pollers
 * for a few minutes), where a workflow started on it would wait for one without a word.
 */
export async function requireWorker(
  client: Client,
  config: Pick<Config, 'temporalNamespace'>,
  taskQueue: string,
  setting: string,
): Promise<void> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: config.temporalNamespace,
    taskQueue: { name: taskQueue },
    taskQueueType: WORKFLOW_TASK_QUEUE,
  });
  if (!pollers || pollers.length === 0)
    throw new NoWorkerError(
      `No worker serves the task queue "${taskQueue}" (${setting}) in namespace "${config.temporalNamespace}". ` +
        'Start one with "embedstream run --role worker" (or --role all) under the same settings, then try again.',
    );
}

/** A Temporal client whose workflow starts carry the active trace context. */
export async function connectTemporal(config: Config): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '5 seconds' });
  } catch (err) {
    throw new TemporalUnavailableError(
      `Cannot reach Temporal at ${config.temporalAddress} (TEMPORAL_ADDRESS): ${(err as Error).message}. ` +
        'Start the local stack with "npm run stack:up", or point TEMPORAL_ADDRESS at your Temporal frontend.',
      { cause: err },
    );
  }
  return temporalClientOver(connection, config);
}

/** A tracing client over an open connection: a worker's NativeConnection makes eager starts possible. */
export function temporalClientOver(
  connection: ConnectionLike,
  config: Pick<Config, 'temporalNamespace'>,
): Client {
  return new Client({
    connection,
    namespace: config.temporalNamespace,
    interceptors: temporalClientInterceptors(),
  });
}
