import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { Client } from '@temporalio/client';
import type { RecordMetadata } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkText } from '../../src/chunking/token-chunker.ts';
import { loadTokenizer, resolveModelFiles } from '../../src/embedding/index.ts';
import { createKafka, ensureTopics, MessageProducer } from '../../src/kafka/index.ts';
import { chunkPointId } from '../../src/qdrant/index.ts';
import { connectTemporal } from '../../src/temporal/client.ts';
import { ingestWorkflowId } from '../../workflows/contracts.ts';
import {
  configOf,
  eventually,
  isolatedEnv,
  startService,
  type ServiceProcess,
} from '../helpers/service-process.ts';

const env = isolatedEnv();
const config = configOf(env);
const kafka = createKafka(config, { clientIdSuffix: '-e2e', logLevel: 'error' });
const producer = new MessageProducer(kafka);
const qdrant = new QdrantClient({ url: config.qdrantUrl, checkCompatibility: false });
const tokenizer = loadTokenizer(resolveModelFiles(config).tokenizerPath, { maxTokens: config.maxTokens });
const collection = config.qdrantCollection;

const WORDS =
  'river stone forest cloud signal engine garden harbor lantern meadow copper violin orbit canyon ember glacier'.split(
    ' ',
  );

/** A deterministic document of `n` words. */
function docText(seed: number, n: number): string {
  const words: string[] = [];
  let x = seed * 7919 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    words.push(WORDS[x % WORDS.length]!);
    if (i % 12 === 11) words[words.length - 1] += '.';
  }
  return words.join(' ');
}

const documents = Array.from({ length: 24 }, (_, i) => ({
  id: `doc-${i}`,
  title: `Document ${i}`,
  text: docText(i, 20 + ((i * 37) % 500)),
}));

async function expectedPointIds(docs: { id: string; text: string }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const d of docs) {
    const chunks = await chunkText(tokenizer, d.text, {
      chunkTokens: config.chunkTokens,
      overlap: config.chunkOverlap,
    });
    chunks.forEach((c) => ids.push(chunkPointId(d.id, c.index)));
  }
  return ids.sort();
}

async function pointsOf(
  filter?: Record<string, unknown>,
): Promise<{ id: string; payload: Record<string, unknown> }[]> {
  const out: { id: string; payload: Record<string, unknown> }[] = [];
  let offset: string | number | undefined | null = undefined;
  do {
    const page = await qdrant.scroll(collection, {
      limit: 256,
      with_payload: true,
      ...(offset ? { offset } : {}),
      ...(filter ? { filter } : {}),
    });
    for (const p of page.points)
      out.push({ id: String(p.id), payload: p.payload as Record<string, unknown> });
    offset = page.next_page_offset as string | number | null | undefined;
  } while (offset);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

async function publish(messages: { id: string; [k: string]: unknown }[]): Promise<RecordMetadata[]> {
  return producer.send(
    config.topicDocuments,
    messages.map((m) => ({ key: m.id, value: JSON.stringify(m) })),
  );
}

let worker: ServiceProcess;
let consumer: ServiceProcess;
let temporal: Client;

beforeAll(async () => {
  await ensureTopics(config, kafka);
  [worker, consumer] = await Promise.all([startService('worker', env), startService('consumer', env)]);
  temporal = await connectTemporal(config);
}, 180_000);

afterAll(async () => {
  await Promise.all([worker?.stop(), consumer?.stop()]);
  await temporal?.connection.close();
  await producer.disconnect();
  await qdrant.deleteCollection(collection).catch(() => undefined);
});

describe('the pipeline, end to end through Kafka, Temporal and Qdrant', () => {
  it('when N documents are published, then exactly their chunks are in Qdrant, and publishing again changes nothing', async () => {
    const expected = await expectedPointIds(documents);
    await publish(documents);
    const points = await eventually(
      'all chunks indexed',
      () => pointsOf(),
      (p) => p.length >= expected.length,
    );
    expect(points.map((p) => p.id)).toEqual(expected);

    await publish(documents);
    // The second round is done once every document carries the newer version.
    const versions = new Map(points.map((p) => [p.id, p.payload.version as number]));
    const again = await eventually(
      'republished documents processed',
      () => pointsOf(),
      (p) => p.every((x) => (x.payload.version as number) > versions.get(x.id)!),
    );
    expect(again.map((p) => p.id)).toEqual(expected);
  });

  it('when a document is updated to a shorter text, then its stale chunks are removed', async () => {
    const long = { id: 'update-me', title: 'Update', text: docText(99, 700) };
    await publish([long]);
    const before = await eventually(
      'long version indexed',
      () => pointsOf({ must: [{ key: 'doc_id', match: { value: 'update-me' } }] }),
      (p) => p.length >= 2,
    );
    expect(before.length).toBeGreaterThanOrEqual(3);

    await publish([{ id: 'update-me', title: 'Update', text: 'a short replacement text' }]);
    const after = await eventually(
      'short version replaced the long one',
      () => pointsOf({ must: [{ key: 'doc_id', match: { value: 'update-me' } }] }),
      (p) => p.length === 1 && p[0]!.payload.text === 'a short replacement text',
    );
    expect(after.map((p) => p.id)).toEqual([chunkPointId('update-me', 0)]);
  });

  it('when `embedstream ingest` reads a file that repeats an id, then the later line is what stays', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'ingest-twice-')), 'docs.jsonl');
    const lines = [
      { id: 'direct-twice', title: 'Twice', text: docText(97, 700) },
      { id: 'direct-once', title: 'Once', text: 'a document in between' },
      { id: 'direct-twice', title: 'Twice', text: 'the later line' },
    ];
    await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/embedstream.js', 'ingest', file], {
      env: { ...process.env, ...env },
    });
    expect(stdout).toContain('superseded 1');
    const twice = await pointsOf({ must: [{ key: 'doc_id', match: { value: 'direct-twice' } }] });
    expect(twice.map((p) => [p.id, p.payload.text])).toEqual([
      [chunkPointId('direct-twice', 0), 'the later line'],
    ]);
  });

  it('when a document is deleted while its upsert is still being embedded, then it stays deleted', async () => {
    // The broker stamps each message as it appends it: sends further apart than a sub-batch may
    // span (INGEST_BATCH_MAX_WAIT_MS) land in sub-batches of their own, so the delete gets an
    // ingest workflow of its own, which has nothing to embed.
    const [upsert] = await publish([{ id: 'short-lived', title: 'Short-lived', text: docText(96, 12000) }]);
    await new Promise((r) => setTimeout(r, config.ingestBatchMaxWaitMs + 200));
    const [remove] = await publish([{ id: 'short-lived', op: 'delete' }]);
    const finished = (sent: RecordMetadata) => {
      const handle = temporal.workflow.getHandle(
        ingestWorkflowId({
          topic: config.topicDocuments,
          partition: sent.partition,
          fromOffset: sent.baseOffset!,
          toOffset: sent.baseOffset!,
        }),
      );
      // Not found until the consumer has started it.
      return eventually(`${handle.workflowId} finished`, () => handle.result().then(() => true), Boolean);
    };
    await Promise.all([finished(upsert!), finished(remove!)]);
    expect(await pointsOf({ must: [{ key: 'doc_id', match: { value: 'short-lived' } }] })).toEqual([]);
  });

  it('when a document is deleted, then all its points are removed and the others stay', async () => {
    const total = (await pointsOf()).length;
    const victim = (await pointsOf({ must: [{ key: 'doc_id', match: { value: 'doc-5' } }] })).length;
    expect(victim).toBeGreaterThan(0);
    await publish([{ id: 'doc-5', op: 'delete' }]);
    await eventually(
      'doc-5 deleted',
      () => pointsOf({ must: [{ key: 'doc_id', match: { value: 'doc-5' } }] }),
      (p) => p.length === 0,
    );
    expect((await pointsOf()).length).toBe(total - victim);
  });
  // Last: it stops the consumer.
  it('when the consumer stops while an ingest workflow it started is still running, then it exits cleanly', async () => {
    const [sent] = await publish([{ id: 'in-flight', title: 'In flight', text: docText(95, 12000) }]);
    const handle = temporal.workflow.getHandle(
      ingestWorkflowId({
        topic: config.topicDocuments,
        partition: sent!.partition,
        fromOffset: sent!.baseOffset!,
        toOffset: sent!.baseOffset!,
      }),
    );
    await eventually(
      `${handle.workflowId} running`,
      () => handle.describe().then((d) => d.status.name),
      (status) => status === 'RUNNING',
    );
    expect(await consumer.stop()).toBe(0);
    expect(consumer.output()).not.toContain('Error');
  });
});
