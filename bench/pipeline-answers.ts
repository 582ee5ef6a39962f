import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { parseQueryResult, type QueryResult } from '../src/messages/index.ts';

/** An answer, with the two clocks that split its way back: when it was published and when it arrived. */
export interface TimedAnswer {
  result: QueryResult;
  /** The answer message's timestamp (epoch ms, set by the worker's producer as it sent it). */
  publishedAt: number;
  /** Epoch ms at which this process received it. */
  receivedAt: number;
}

/**
 * Reads the answers topic like the `query` command's listener (its own group, minBytes 1, at most
 * 100 ms per long poll, starting at the end offsets taken before anything is asked), and keeps each
 * answer's Kafka timestamp, so the latency splits into "until the answer is published" and
 * "answer to asker".
 */
export class TimedAnswers {
  readonly #consumer: Consumer;
  readonly #answers = new Map<string, TimedAnswer>();
  readonly #waiting = new Map<string, (answer: TimedAnswer) => void>();
  #crash: string | undefined;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(kafka: Kafka, topic: string): Promise<TimedAnswers> {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const consumer = kafka.consumer({
      groupId: `bench-answers-${randomUUID()}`,
      minBytes: 1,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    const answers = new TimedAnswers(consumer);
    consumer.on(
      consumer.events.CRASH,
      (e) => (answers.#crash = `${e.payload.error.message}${e.payload.restart ? ' (restarted)' : ''}`),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const receivedAt = Date.now();
        for (const message of batch.messages) {
          const parsed = parseQueryResult(message.value);
          if (parsed.ok)
            answers.#receive({ result: parsed.value, publishedAt: Number(message.timestamp), receivedAt });
        }
        return Promise.resolve();
      },
    });
    for (const end of ends) consumer.seek({ topic, partition: end.partition, offset: end.high });
    return answers;
  }

  /** Resolves with the answer to `requestId` once it came; rejects after `timeoutMs` without it. */
  waitFor(requestId: string, timeoutMs: number): Promise<TimedAnswer> {
    const known = this.#answers.get(requestId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(requestId);
        const crash = this.#crash ? `; the answers consumer crashed: ${this.#crash}` : '';
        reject(
          new Error(
            `no answer to ${requestId} within ${timeoutMs} ms${crash}: are the worker and consumer running and on the same topics?`,
          ),
        );
      }, timeoutMs);
      this.#waiting.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }

  #receive(answer: TimedAnswer): void {
    const id = answer.result.requestId;
    // A redelivered answer is the same answer: the first arrival counts.
    if (this.#answers.has(id)) return;
    this.#answers.set(id, answer);
    this.#waiting.get(id)?.(answer);
    this.#waiting.delete(id);
  }
}
