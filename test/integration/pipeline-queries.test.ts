import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerListener, createKafka, ensureTopics, MessageProducer } from '../../src/kafka/index.ts';
import { isSearchError, type QueryResult } from '../../src/messages/index.ts';
import {
  configOf,
  eventually,
  isolatedEnv,
  startService,
  type ServiceProcess,
} from '../helpers/service-process.ts';
import { QdrantClient } from '@qdrant/js-client-rest';
import { parentOf, spanNamed, waitForTrace } from '../helpers/jaeger.ts';

const examples = path.resolve(import.meta.dirname, '..', '..', 'examples');
const corpus = readFileSync(path.join(examples, 'sample-corpus.jsonl'), 'utf8').trim().split('\n');
const queries = readFileSync(path.join(examples, 'sample-queries.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { requestId: string; text: string });
/** The one best document (graded 2) of each query. */
const best = new Map(
  readFileSync(path.join(examples, 'sample-qrels.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/\r$/, '').split('\t'))
    .filter(([, , score]) => score === '2')
    .map(([q, d]) => [q!, d!]),
);

const env = isolatedEnv();
const config = configOf(env);
const kafka = createKafka(config, { clientIdSuffix: '-queries-e2e', logLevel: 'error' });
const producer = new MessageProducer(kafka);
const qdrant = new QdrantClient({ url: config.qdrantUrl, checkCompatibility: false });
let service: ServiceProcess;

beforeAll(async () => {
  await ensureTopics(config, kafka);
  service = await startService('all', env);
  await producer.send(
    config.topicDocuments,
    corpus.map((line) => ({ key: (JSON.parse(line) as { id: string }).id, value: line })),
  );
  await eventually(
    'sample corpus indexed',
    async () => {
      const res = await qdrant.scroll(config.qdrantCollection, { limit: 10_000, with_payload: ['doc_id'] });
      return new Set(res.points.map((p) => p.payload?.doc_id)).size;
    },
    (n) => n === corpus.length,
  );
}, 240_000);

afterAll(async () => {
  await service?.stop();
  await producer.disconnect();
  await qdrant.deleteCollection(config.qdrantCollection).catch(() => undefined);
});

describe('queries through Kafka', () => {
  it('when the labelled sample queries are published, then each answer ranks its best document first', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const listener = await AnswerListener.start(kafka, admin, config.topicQueryResults, 'e2e-answers');
    await producer.send(
      config.topicQueries,
      queries.map((q) => ({ key: q.requestId, value: JSON.stringify({ ...q, topK: 5 }) })),
    );
    const answers: QueryResult[] = [];
    await listener.waitFor(
      queries.map((q) => q.requestId),
      60_000,
      (a) => answers.push(a),
    );
    await listener.stop();
    await admin.disconnect();

    expect(answers).toHaveLength(queries.length);
    const wrong: string[] = [];
    for (const q of queries) {
      const answer = answers.find((a) => a.requestId === q.requestId)!;
      if (isSearchError(answer)) throw new Error(`${q.requestId}: ${answer.error}`);
      expect(answer.hits.length).toBeGreaterThan(0);
      expect(new Set(answer.hits.map((h) => h.id)).size).toBe(answer.hits.length);
      if (answer.hits[0]!.id !== best.get(q.requestId))
        wrong.push(`${q.requestId}: got ${answer.hits[0]!.id}, want ${best.get(q.requestId)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('when queries come through Kafka, then their search workflows start eagerly on the worker beside the consumer', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
    const starts = (outcome: string) =>
      Number(
        new RegExp(
          `^embedstream_workflow_start_duration_seconds_count\\{[^}]*workflow="searchQuery"[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`,
          'm',
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(starts('started_eagerly')).toBeGreaterThanOrEqual(queries.length);
    expect(starts('started')).toBe(0);
  });

  it('when a query message is invalid, then its error is answered on the results topic', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const listener = await AnswerListener.start(kafka, admin, config.topicQueryResults, 'e2e-answers');
    await producer.send(config.topicQueries, [
      { key: 'bad-1', value: JSON.stringify({ requestId: 'bad-1', text: '   ' }) },
    ]);
    await listener.waitFor(['bad-1'], 30_000);
    const answer = listener.get('bad-1')!;
    await listener.stop();
    await admin.disconnect();
    expect(isSearchError(answer)).toBe(true);
    expect((answer as { error: string }).error).toMatch(/text/i);
  });

  it('when a traced query is published, then its search and its answer join the asker’s trace through the search workflow', async () => {
    const traceId = randomBytes(16).toString('hex');
    const requestId = `traced-${traceId.slice(0, 8)}`;
    await producer.send(config.topicQueries, [
      {
        key: requestId,
        value: JSON.stringify({ requestId, text: queries[0]!.text }),
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      },
    ]);
    const answerSpan = `send ${config.topicQueryResults}`;
    const trace = await waitForTrace(traceId, (t) => !!spanNamed(t, answerSpan), 30_000);
    const ancestry = (name: string) => {
      const names: string[] = [];
      for (let s = spanNamed(trace, name); s; s = parentOf(trace, s)) names.push(s.operationName);
      return names;
    };
    expect(ancestry('search')).toEqual(
      expect.arrayContaining(['search', 'RunActivity:answerQuery', 'StartWorkflow:searchQuery']),
    );
    expect(ancestry(answerSpan)).toEqual(
      expect.arrayContaining([answerSpan, 'RunActivity:answerQuery', 'StartWorkflow:searchQuery']),
    );
    expect(spanNamed(trace, 'qdrant.query')).toBeDefined();
  });
});
