import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { publishDocuments } from '../../src/kafka/publish-documents.ts';
import { documentFiles } from '../../src/messages/jsonl-file.ts';

async function file(name: string, lines: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'embedstream-publish-'));
  const p = path.join(dir, name);
  await writeFile(p, lines.join('\n'));
  return p;
}

function recordingProducer() {
  const sends: Message[][] = [];
  return {
    sends,
    producer: { send: (_topic: string, messages: Message[]) => Promise.resolve((sends.push(messages), [])) },
  };
}

describe('publishing documents from files', () => {
  it('when a file has valid and invalid lines, then valid lines go as they are, keyed by id, and invalid ones are reported by line', async () => {
    const f = await file('docs.jsonl', [
      '{"_id": "a", "text": "A"}',
      '',
      '{"id": "b"}',
      'not json',
      '{"id": "c", "text": "C", "title": "T"}',
    ]);
    const { sends, producer } = recordingProducer();
    const invalid: string[] = [];
    const result = await publishDocuments([f], {
      producer,
      topic: 't',
      mode: 'upsert',
      onInvalid: (where, why) => invalid.push(`${path.basename(where)} ${why}`),
    });
    expect(result).toEqual({ published: 2, skipped: 2 });
    expect(sends.flat()).toEqual([
      { key: 'a', value: '{"_id": "a", "text": "A"}' },
      { key: 'c', value: '{"id": "c", "text": "C", "title": "T"}' },
    ]);
    expect(invalid).toEqual([
      'docs.jsonl:3 text: is required for an upsert',
      expect.stringMatching(/^docs\.jsonl:4 value is not valid JSON/) as unknown,
    ]);
  });

  it('when publishing deletions, then each line becomes {id, op: "delete"} with its collection', async () => {
    const f = await file('docs.jsonl', ['{"_id": "a", "text": "A"}', '{"id": "b", "collection": "c1"}']);
    const { sends, producer } = recordingProducer();
    await publishDocuments([f], { producer, topic: 't', mode: 'delete' });
    expect(sends.flat()).toEqual([
      { key: 'a', value: '{"id":"a","op":"delete"}' },
      { key: 'b', value: '{"id":"b","op":"delete","collection":"c1"}' },
    ]);
  });

  it('when there are more lines than a send takes, then they go in batches of at most that many', async () => {
    const f = await file(
      'docs.jsonl',
      Array.from({ length: 7 }, (_, i) => JSON.stringify({ id: `d${i}`, text: 't' })),
    );
    const { sends, producer } = recordingProducer();
    const acknowledged: number[] = [];
    await publishDocuments([f], {
      producer,
      topic: 't',
      mode: 'upsert',
      batchMessages: 3,
      onSent: (n) => acknowledged.push(n),
    });
    expect(sends.map((s) => s.length)).toEqual([3, 3, 1]);
    expect(acknowledged).toEqual([3, 3, 1]);
  });

  it('when large documents would exceed what one send may carry, then the batch is cut by bytes', async () => {
    const text = 'x'.repeat(300 * 1024);
    const f = await file(
      'docs.jsonl',
      [0, 1, 2, 3].map((i) => JSON.stringify({ id: `d${i}`, text })),
    );
    const { sends, producer } = recordingProducer();
    await publishDocuments([f], { producer, topic: 't', mode: 'upsert' });
    expect(sends.map((s) => s.length)).toEqual([2, 2]);
  });

  it('when a send fails, then publishing stops with that error', async () => {
    const f = await file(
      'docs.jsonl',
      Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `d${i}`, text: 't' })),
    );
    const producer = { send: () => Promise.reject(new Error('broker down')) };
    await expect(
      publishDocuments([f], { producer, topic: 't', mode: 'upsert', batchMessages: 2 }),
    ).rejects.toThrow('broker down');
  });

  it('when a directory is a BEIR dataset, then only its corpus is published', async () => {
    const corpus = await file('corpus.jsonl', ['{}']);
    await writeFile(path.join(path.dirname(corpus), 'queries.jsonl'), '{}');
    expect(await documentFiles(path.dirname(corpus))).toEqual([corpus]);
    const other = await file('b.jsonl', ['{}']);
    await writeFile(path.join(path.dirname(other), 'a.jsonl'), '{}');
    await writeFile(path.join(path.dirname(other), 'notes.txt'), '');
    expect((await documentFiles(path.dirname(other))).map((p) => path.basename(p))).toEqual([
      'a.jsonl',
      'b.jsonl',
    ]);
  });
});
