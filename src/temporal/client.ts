import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import type { Config } from '../config/index.ts';
import { temporalClientInterceptors } from '../telemetry/temporal.ts';

/** Thrown when the Temporal frontend cannot be reached at start-up. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
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
