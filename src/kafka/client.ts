import { createRequire } from 'node:module';
import { Kafka, logLevel as kafkaLevels, type logCreator, type RetryOptions } from 'kafkajs';
import type { Config } from '../config/index.ts';
import { kafkaLogLevel, type LogLevel } from './logger.ts';
import { installRequestQueueTimerFix } from './request-queue-timer.ts';

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

/**
 * Notices kafkajs prints on every start that say nothing about this process: the producers pick
 * their partitioner explicitly, and the producer's retries are bounded on purpose (a send that
 * cannot land within about a minute fails, and its caller, a Temporal activity or a command, retries
 * or reports it; the idempotent producer still keeps each attempt's retries free of duplicates).
 */
const QUIET = [/switched default partitioner/, /Limiting retries for the idempotent producer/];

/**
 * The messages of the error codes kafkajs retries on its own (a leader moving, a coordinator still
 * loading its log, a broker starting). kafkajs logs every error answer as an error, then retries;
 * for these the retry is the whole story, and a request that still fails is reported where it fails.
 */
const RETRIABLE_ANSWERS = new Set(
  (
    createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      errorCodes: { retriable: boolean; message: string }[];
    }
  ).errorCodes
    .filter((e) => e.retriable)
    .map((e) => e.message),
);

function isRetriableAnswer(namespace: string, log: { message: string; error?: unknown }): boolean {
  return (
    namespace === 'Connection' &&
    log.message.startsWith('Response ') &&
    typeof log.error === 'string' &&
    RETRIABLE_ANSWERS.has(log.error)
  );
}

/**
 * kafkajs' console logger (one JSON line per entry), without the start-up notices above, and with
 * retriable error answers from a broker at info rather than error.
 */
const quietLogCreator: logCreator =
  (logLevel) =>
  ({ namespace, level, label, log }) => {
    if (QUIET.some((q) => q.test(log.message))) return;
    const retriable = level === kafkaLevels.ERROR && isRetriableAnswer(namespace, log);
    if (retriable && logLevel < kafkaLevels.INFO) return;
    const at = retriable ? kafkaLevels.INFO : level;
    const line = JSON.stringify({
      level: retriable ? 'INFO' : label,
      ...log,
      message: `${namespace ? `[${namespace}] ` : ''}${log.message}`,
    });
    if (at === kafkaLevels.ERROR) console.error(line);
    else if (at === kafkaLevels.WARN) console.warn(line);
    else console.log(line);
  };

/** One kafkajs client for this process, configured from KAFKA_BROKERS and KAFKA_CLIENT_ID. */
export function createKafka(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'logLevel'>,
  options: KafkaClientOptions = {},
): Kafka {
  installRequestQueueTimerFix();
  return new Kafka({
    clientId: `${config.kafkaClientId}${options.clientIdSuffix ?? ''}`,
    brokers: [...config.kafkaBrokers],
    // The default 1 s is tight for a broker busy with a bulk load on a shared 2-core machine.
    connectionTimeout: 3000,
    retry: RETRY[options.retryProfile ?? 'service'],
    logLevel: kafkaLogLevel(options.logLevel ?? config.logLevel),
    logCreator: quietLogCreator,
  });
}
