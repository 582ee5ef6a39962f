import type { Admin } from 'kafkajs';

/** Thrown when no broker of KAFKA_BROKERS answers; the message says how to get one. */
export class KafkaUnavailableError extends Error {
  override readonly name = 'KafkaUnavailableError';
}

/** Thrown when a topic the command needs does not exist; the message names the command that creates it. */
export class MissingTopicError extends Error {
  override readonly name = 'MissingTopicError';
}

/** Connects an admin client, turning "no broker" into a KafkaUnavailableError that says what to do. */
export async function connectAdmin(admin: Admin, brokers: readonly string[]): Promise<void> {
  try {
    await admin.connect();
  } catch (err) {
    throw new KafkaUnavailableError(
      `Cannot reach Kafka at ${brokers.join(',')} (KAFKA_BROKERS): ${err instanceof Error ? err.message : String(err)}. ` +
        'Start the local stack with "npm run stack:up", or point KAFKA_BROKERS at your brokers.',
      { cause: err },
    );
  }
}

/** Fails with the fix when any of `topics` is missing. */
export async function requireTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  const present = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !present.has(t));
  if (missing.length > 0)
    throw new MissingTopicError(
      `Topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist: ` +
        'create the topics with "embedstream topics create" (or check the TOPIC_* settings).',
    );
}

/**
 * The message a command prints for a Kafka failure a person can fix, or undefined for anything
 * else (which is a bug and keeps its stack trace).
 */
export function explainKafkaError(err: unknown): string | undefined {
  if (err instanceof KafkaUnavailableError || err instanceof MissingTopicError) return err.message;
  if (err instanceof Error && /KafkaJS(Connection|NumberOfRetriesExceeded|Broker)/.test(err.name))
    return `Kafka failed: ${err.message}. Check that the brokers in KAFKA_BROKERS are up ("npm run stack:status").`;
  return undefined;
}
