import { Kafka, type RetryOptions } from 'kafkajs';
import type { Config } from '../config/index.ts';
import { kafkaLogLevel, type LogLevel } from './logger.ts';
import { filterKafkajsTimeoutWarnings } from './timeout-warning-filter.ts';

export interface KafkaClientOptions {
  /** Appended to KAFKA_CLIENT_ID so the broker's logs and quotas tell processes apart (`-consumer`, `-cli`). */
  clientIdSuffix?: string;
  /** kafkajs' own log level; commands use `warn` so a terminal shows only what needs attention. */
  logLevel?: LogLevel;
  /** How long to keep retrying an operation: `service` rides out a broker restart, `cli` fails fast. */
  retryProfile?: 'service' | 'cli';
}

const RETRY: Record<NonNullable<KafkaClientOptions['retryProfile']>, RetryOptions> = {
  // A broker restart or a leader election takes seconds. Eight retries growing from 300 ms
  // (×2, ±20 % jitter so a fleet does not retry in step) to a 30 s ceiling ride through about a
  // minute of that before an operation fails and the consumer restarts from its last commit.
  service: { initialRetryTime: 300, multiplier: 2, factor: 0.2, maxRetryTime: 30_000, retries: 8 },
  // A person at a terminal should hear within seconds that the broker is not there.
  cli: { initialRetryTime: 300, multiplier: 2, factor: 0.2, maxRetryTime: 2000, retries: 3 },
};

/** One kafkajs client for this process, configured from KAFKA_BROKERS and KAFKA_CLIENT_ID. */
export function createKafka(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'logLevel'>,
  options: KafkaClientOptions = {},
): Kafka {
  filterKafkajsTimeoutWarnings();
  return new Kafka({
    clientId: `${config.kafkaClientId}${options.clientIdSuffix ?? ''}`,
    brokers: [...config.kafkaBrokers],
    // The default 1 s is tight for a broker busy with a bulk load on a shared 2-core machine.
    connectionTimeout: 3000,
    retry: RETRY[options.retryProfile ?? 'service'],
    logLevel: kafkaLogLevel(options.logLevel ?? config.logLevel),
  });
}
