import type { ActivityPublisher } from '../../activities/deps.ts';
import type { DocumentInput, FailedDocument, KafkaSource } from '../../workflows/contracts.ts';
import { encodeQueryResult, type QueryResult } from '../messages/query-result.ts';
import type { DeadLetterPublisher } from './dead-letter.ts';
import type { MessageProducer } from './producer.ts';

/**
 * What the activities publish, on Kafka: documents that failed for good go to the documents
 * dead-letter topic, each with its own reason; answers go to the reply topic keyed by requestId.
 */
export class KafkaActivityPublisher implements ActivityPublisher {
  readonly #producer: Pick<MessageProducer, 'send'>;
  readonly #deadLetters: Pick<DeadLetterPublisher, 'deadLetterDocuments'>;

  constructor(
    producer: Pick<MessageProducer, 'send'>,
    deadLetters: Pick<DeadLetterPublisher, 'deadLetterDocuments'>,
  ) {
    this.#producer = producer;
    this.#deadLetters = deadLetters;
  }

  /** `source`, when the caller has it (the batch's Kafka coordinates), fills the x-source-* headers. */
  async publishFailedDocuments(
    documents: readonly DocumentInput[],
    failures: readonly FailedDocument[],
    source?: Pick<KafkaSource, 'topic' | 'partition'>,
  ): Promise<void> {
    const byId = new Map(documents.map((d) => [d.id, d]));
    const entries = failures.map((f) => ({
      // A failure always names a document of the batch; should it not, the letter still says which.
      document: byId.get(f.id) ?? { id: f.id, op: 'upsert' as const, version: 0 },
      reason: { type: f.type, message: f.reason },
    }));
    await this.#deadLetters.deadLetterDocuments(entries, source);
  }

  async publishAnswer(topic: string, answer: QueryResult): Promise<void> {
    // The answer's send joins the query's trace: one journey from question to answer.
    await this.#producer.send(topic, [encodeQueryResult(answer)], { inCallerTrace: true });
  }
}
