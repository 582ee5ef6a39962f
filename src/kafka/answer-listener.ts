import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { parseQueryResult, type QueryResult } from '../messages/query-result.ts';

/** Thrown by `waitFor` when answers stop coming; the message lists what to check. */
export class AnswerTimeoutError extends Error {
  override readonly name = 'AnswerTimeoutError';
  readonly missing: string[];

  constructor(message: string, missing: string[]) {
    super(message);
    this.missing = missing;
  }
}

/**
 * Reads the answers topic for one asker. It joins a consumer group of its own (named per run, so
 * every asker sees every answer), commits nothing, and starts reading at the end offsets taken
 * *before* anything is asked: an answer cannot slip by while the group is still forming.
 */
export class AnswerListener {
  readonly #consumer: Consumer;
  readonly #answers = new Map<string, QueryResult>();
  #onAnswer: ((result: QueryResult) => void) | undefined;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(
    kafka: Kafka,
    admin: Admin,
    topic: string,
    groupPrefix: string,
  ): Promise<AnswerListener> {
    const ends = await admin.fetchTopicOffsets(topic);
    const consumer = kafka.consumer({
      groupId: `${groupPrefix}-${randomUUID()}`,
      // Answers are small and awaited by a person: hand each over as soon as the broker has it.
      minBytes: 1,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    const listener = new AnswerListener(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) {
          const parsed = parseQueryResult(message.value);
          if (parsed.ok) listener.#receive(parsed.value);
        }
        return Promise.resolve();
      },
    });
    for (const end of ends) consumer.seek({ topic, partition: end.partition, offset: end.high });
    return listener;
  }

  /** The answer to `requestId`, once it came. */
  get(requestId: string): QueryResult | undefined {
    return this.#answers.get(requestId);
  }

  /**
   * Resolves when every one of `requestIds` has an answer, calling `onAnswer` for each as it
   * comes; rejects with AnswerTimeoutError when none of the missing ones came for `idleTimeoutMs`.
   */
  waitFor(
    requestIds: readonly string[],
    idleTimeoutMs: number,
    onAnswer?: (result: QueryResult) => void,
  ): Promise<void> {
    const missing = new Set(requestIds.filter((id) => !this.#answers.has(id)));
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.#onAnswer = undefined;
        if (err) reject(err);
        else resolve();
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            finish(
              new AnswerTimeoutError(`no answer for ${missing.size} of ${requestIds.length} queries`, [
                ...missing,
              ]),
            ),
          idleTimeoutMs,
        );
      };
      for (const id of requestIds) if (this.#answers.has(id)) onAnswer?.(this.#answers.get(id)!);
      if (missing.size === 0) return finish();
      this.#onAnswer = (result) => {
        if (!missing.delete(result.requestId)) return;
        onAnswer?.(result);
        if (missing.size === 0) finish();
        else arm();
      };
      arm();
    });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }

  #receive(result: QueryResult): void {
    // A redelivered answer (after the seek) is the same answer: the first one counts.
    if (this.#answers.has(result.requestId)) return;
    this.#answers.set(result.requestId, result);
    this.#onAnswer?.(result);
  }
}
