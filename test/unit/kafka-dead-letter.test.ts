import { describe, expect, it } from 'vitest';
import {
  deadLetterOf,
  deadLetterOfDocument,
  DeadLetterPublisher,
  DLQ_HEADER,
} from '../../src/kafka/dead-letter.ts';
import { message } from './consumers/kafka-fakes.ts';

describe('dead letters', () => {
  it('when a consumed message is dead-lettered, then it keeps its bytes and headers and says why and where from', () => {
    const original = message(17, '{"id": "x", "text": ', { key: 'x', timestamp: 1700000000000 });
    original.headers = { traceparent: Buffer.from('00-abc-def-01'), 'x-app': Buffer.from('1') };
    const letter = deadLetterOf(
      original,
      { topic: 'documents', partition: 2 },
      { type: 'MalformedJson', message: 'value is not valid JSON' },
    );
    expect(letter.key).toBe(original.key);
    expect(letter.value).toBe(original.value);
    expect(letter.headers).toEqual({
      traceparent: Buffer.from('00-abc-def-01'),
      'x-app': Buffer.from('1'),
      [DLQ_HEADER.error]: 'value is not valid JSON',
      [DLQ_HEADER.errorType]: 'MalformedJson',
      [DLQ_HEADER.sourceTopic]: 'documents',
      [DLQ_HEADER.sourcePartition]: '2',
      [DLQ_HEADER.sourceOffset]: '17',
      [DLQ_HEADER.sourceTimestamp]: '1700000000000',
    });
  });

  it('when the reason is very long, then the header is cut to a readable size', () => {
    const letter = deadLetterOf(
      message(0, 'x'),
      { topic: 't', partition: 0 },
      { type: 'T', message: 'y'.repeat(10_000) },
    );
    expect(String(letter.headers?.[DLQ_HEADER.error])).toHaveLength(2000);
  });

  it('when a document from a workflow is dead-lettered without its source, then the source headers it lacks are left out', () => {
    const letter = deadLetterOfDocument(
      { id: 'a', op: 'delete', version: 5 },
      { type: 'IngestFailed', message: 'gone' },
    );
    expect(letter.key).toBe('a');
    expect(JSON.parse(String(letter.value))).toEqual({ id: 'a', op: 'delete' });
    expect(Object.keys(letter.headers ?? {}).sort()).toEqual(
      [DLQ_HEADER.documentVersion, DLQ_HEADER.error, DLQ_HEADER.errorType].sort(),
    );
  });

  it('when publishToDlq gets a plain reason, then its type is IngestFailed', async () => {
    const sent: { topic: string; headers: unknown }[] = [];
    const publisher = new DeadLetterPublisher(
      {
        sendAsIs: (topic, messages) =>
          Promise.resolve((messages.forEach((m) => sent.push({ topic, headers: m.headers })), [])),
      },
      'documents.dlq',
    );
    await publisher.publishToDlq(
      [{ id: 'a', op: 'upsert', text: 't', version: 1 }],
      'embedding kept failing',
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      topic: 'documents.dlq',
      headers: { [DLQ_HEADER.errorType]: 'IngestFailed', [DLQ_HEADER.error]: 'embedding kept failing' },
    });
  });
});
