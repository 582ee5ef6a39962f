import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkText } from '../../src/chunking/token-chunker.ts';
import { loadTokenizer, resolveModelFiles } from '../../src/embedding/index.ts';
import { createKafka, ensureTopics, MessageProducer } from '../../src/kafka/index.ts';
import { chunkPointId } from '../../src/qdrant/index.ts';
import {
  configOf,
  eventually,
  isolatedEnv,
  startService,
  type ServiceProcess,
} from '../helpers/service-process.ts';

// Small sub-batches: many workflows, so the kill lands with some done, some running, some queued.
const env = isolatedEnv({ INGEST_BATCH_DOCS: '8' });
const config = configOf(env);
const kafka = createKafka(config, { clientIdSuffix: '-crash', logLevel: 'error' });
const producer = new MessageProducer(kafka);
const qdrant = new QdrantClient({ url: config.qdrantUrl, checkCompatibility: false });
const tokenizer = loadTokenizer(resolveModelFiles(config).tokenizerPath, { maxTokens: config.maxTokens });

const topics = [
  'fjord',
  'comet',
  'violin',
  'saffron',
  'turbine',
  'lichen',
  'basalt',
  'quartz',
  'tundra',
  'ember',
];
const documents = Array.from({ length: 160 }, (_, i) => ({
  id: `crash-${i}`,
  text:
    Array.from({ length: 60 + (i % 7) * 40 }, (_, j) => `${topics[(i + j) % topics.length]} ${j}`).join(' ') +
    '.',
}));

async function allPointIds(): Promise<string[]> {
  const ids: string[] = [];
  let offset: string | number | null | undefined;
  do {
    const page = await qdrant.scroll(config.qdrantCollection, {
      limit: 512,
      with_payload: false,
      ...(offset ? { offset } : {}),
    });
    ids.push(...page.points.map((p) => String(p.id)));
    offset = page.next_page_offset as string | number | null | undefined;
  } while (offset);
  return ids.sort();
}

let consumer: ServiceProcess;
let worker: ServiceProcess | undefined;

beforeAll(async () => {
  await ensureTopics(config, kafka);
  consumer = await startService('consumer', env);
}, 120_000);

afterAll(async () => {
  await Promise.all([worker?.stop(), consumer?.stop()]);
  await producer.disconnect();
  await qdrant.deleteCollection(config.qdrantCollection).catch(() => undefined);
});

describe('a worker crash', () => {
  it('when the worker is killed mid-ingest and restarted, then every chunk is indexed once and nothing is dead-lettered', async () => {
    const expected: string[] = [];
    for (const d of documents) {
      const chunks = await chunkText(tokenizer, d.text, {
        chunkTokens: config.chunkTokens,
        overlap: config.chunkOverlap,
      });
      chunks.forEach((c) => expected.push(chunkPointId(d.id, c.index)));
    }
    expected.sort();

    worker = await startService('worker', env);
    await producer.send(
      config.topicDocuments,
      documents.map((d) => ({ key: d.id, value: JSON.stringify(d) })),
    );
    // Kill it once part of the work is done: the rest is in flight or still queued.
    await eventually(
      'first batches indexed',
      () => qdrant.count(config.qdrantCollection, { exact: true }),
      (c) => c.count > 0,
      60_000,
    );
    await worker.kill();
    const atKill = (await qdrant.count(config.qdrantCollection, { exact: true })).count;
    expect(atKill).toBeLessThan(expected.length);

    worker = await startService('worker', env);
    const ids = await eventually(
      'all chunks indexed after the restart',
      allPointIds,
      (p) => p.length >= expected.length,
      180_000,
    );
    expect(ids).toEqual(expected);

    // Nothing went to the dead-letter topic.
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(config.topicDocumentsDlq);
    await admin.disconnect();
    expect(offsets.every((o) => o.high === '0')).toBe(true);
  });
});
