import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';

/** A message as read back by a test, with the partition it was on. */
export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Reads `topic` from the beginning until `count` messages were seen (or fails after `timeoutMs`),
 * with a consumer group of its own that commits nothing.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({
    groupId: `test-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const seen: ReadMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        seen.push({
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
        if (seen.length >= count) done();
        return Promise.resolve();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${topic}: ${seen.length} of ${count} messages after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    await Promise.race([enough, timeout]).finally(() => clearTimeout(timer));
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

/** A header value as text (consumed headers are Buffers). */
export function headerText(headers: IHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : value.toString();
}

/** Reads every message `topic` holds right now. */
export async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  let count: number;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    count = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
  return count === 0 ? [] : readTopic(kafka, topic, count, timeoutMs);
}
