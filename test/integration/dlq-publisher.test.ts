import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKafka,
  DeadLetterPublisher,
  DLQ_HEADER,
  ensureTopics,
  KafkaActivityPublisher,
  MessageProducer,
} from '../../src/kafka/index.ts';
import { parseDocumentMessage } from '../../src/messages/index.ts';
import type { DocumentInput } from '../../workflows/contracts.ts';
import { headerText, readTopic } from '../helpers/kafka-topic-reader.ts';
import { configOf, isolatedEnv } from '../helpers/service-process.ts';

const config = configOf(isolatedEnv({ TOPIC_PARTITIONS: '1' }));
const kafka = createKafka(config, { clientIdSuffix: '-test', logLevel: 'error' });
const producer = new MessageProducer(kafka);
const deadLetters = new DeadLetterPublisher(producer, config.topicDocumentsDlq);

const documents: DocumentInput[] = [
  {
    id: 'failed-1',
    op: 'upsert',
    text: 'some text',
    title: 'One',
    metadata: { lang: 'en' },
    version: 1700000000000,
    offset: '41',
  },
  {
    id: 'failed-2',
    op: 'upsert',
    text: 'other text',
    collection: 'papers',
    version: 1700000000001,
    offset: '42',
  },
];

beforeAll(async () => {
  await ensureTopics(config, kafka);
});

afterAll(async () => {
  await producer.disconnect();
});

describe('dead-letter publisher', () => {
  it('when documents failed for good in a workflow, then each lands in the DLQ with the reason and a value that can be replayed as is', async () => {
    await deadLetters.publishToDlq(
      documents,
      { type: 'DimensionMismatch', message: 'collection has 768 dimensions, the model 384' },
      {
        topic: config.topicDocuments,
        partition: 3,
      },
    );
    await new KafkaActivityPublisher(producer, deadLetters).publishFailedDocuments(documents, [
      { id: 'failed-2', type: 'TextEmbeddingFailed', reason: 'the text has no token the model knows' },
    ]);

    const letters = await readTopic(kafka, config.topicDocumentsDlq, 3);
    const [first, second, third] = letters;
    expect(letters.map((l) => l.key?.toString())).toEqual(['failed-1', 'failed-2', 'failed-2']);
    expect(headerText(first!.headers, DLQ_HEADER.error)).toBe('collection has 768 dimensions, the model 384');
    expect(headerText(first!.headers, DLQ_HEADER.errorType)).toBe('DimensionMismatch');
    expect(headerText(first!.headers, DLQ_HEADER.sourceTopic)).toBe(config.topicDocuments);
    expect(headerText(first!.headers, DLQ_HEADER.sourcePartition)).toBe('3');
    expect(headerText(first!.headers, DLQ_HEADER.sourceOffset)).toBe('41');
    expect(headerText(second!.headers, DLQ_HEADER.documentVersion)).toBe('1700000000001');
    // Replayable: the value is a valid message of the documents topic, keyed consistently.
    const replay = parseDocumentMessage(first!.value, first!.key);
    expect(replay).toEqual({
      ok: true,
      value: { id: 'failed-1', op: 'upsert', text: 'some text', title: 'One', metadata: { lang: 'en' } },
    });
    expect(parseDocumentMessage(second!.value, second!.key)).toMatchObject({
      ok: true,
      value: { collection: 'papers' },
    });
    expect(headerText(third!.headers, DLQ_HEADER.errorType)).toBe('TextEmbeddingFailed');
    expect(headerText(third!.headers, DLQ_HEADER.error)).toBe('the text has no token the model knows');
  });
});
