import path from 'node:path';
import { parseArgs } from 'node:util';
import { QdrantClient } from '@qdrant/js-client-rest';
import { loadConfig, type Config } from '../../config/index.ts';
import {
  AnswerListener,
  createKafka,
  ensureTopics,
  MessageProducer,
  publishDocuments,
} from '../../kafka/index.ts';
import { isSearchError, type QueryResult } from '../../messages/index.ts';
import { readJsonLines } from '../../messages/jsonl-file.ts';
import { runService } from '../../service/run-service.ts';
import type { Command } from '../command.ts';
import { ProgressBar } from '../progress.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '..', '..', '..', 'examples');

/** Distinct documents of `ids` indexed at `since` or later (their version is the publish time). */
async function indexedSince(
  qdrant: QdrantClient,
  config: Config,
  ids: string[],
  since: number,
): Promise<number> {
  const seen = new Set<string>();
  let offset: string | number | null | undefined;
  do {
    const page = await qdrant.scroll(config.qdrantCollection, {
      limit: 1000,
      with_payload: ['doc_id'],
      filter: {
        must: [
          { key: 'doc_id', match: { any: ids } },
          { key: 'version', range: { gte: since } },
        ],
      },
      ...(offset ? { offset } : {}),
    });
    for (const p of page.points) seen.add(String(p.payload?.doc_id));
    offset = page.next_page_offset as string | number | null | undefined;
  } while (offset);
  return seen.size;
}

function printAnswer(question: string, answer: QueryResult | undefined): void {
  console.log(`\nquery: ${question}`);
  if (!answer) return void console.log('  (no answer)');
  if (isSearchError(answer)) return void console.log(`  error: ${answer.error}`);
  answer.hits
    .slice(0, 3)
    .forEach((h, i) => console.log(`  ${i + 1}. ${h.score.toFixed(4)}  ${h.id}  ${h.title ?? ''}`));
  console.log(`  (${answer.tookMs} ms from publish to answer)`);
}

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Index the sample corpus through Kafka and answer sample queries',
  usage: `Usage: embedstream demo [--corpus FILE] [--queries FILE] [--exit]

Starts workers and consumers in this process, publishes the corpus to Kafka, waits until it is
searchable, publishes the queries and prints their answers. On a terminal it keeps serving until
Ctrl-C (so /metrics and traces can be looked at); --exit (or a non-terminal) stops at the end.`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        corpus: { type: 'string', default: path.join(EXAMPLES, 'sample-corpus.jsonl') },
        queries: { type: 'string', default: path.join(EXAMPLES, 'sample-queries.jsonl') },
        exit: { type: 'boolean', default: false },
      },
    });
    const config = loadConfig();
    const kafka = createKafka(config, { clientIdSuffix: '-demo', logLevel: 'warn' });
    await ensureTopics(config, kafka);
    const service = await runService(config, 'all');
    const producer = new MessageProducer(kafka);
    const admin = kafka.admin();
    const qdrant = new QdrantClient({
      url: config.qdrantUrl,
      checkCompatibility: false,
      ...(config.qdrantApiKey ? { apiKey: config.qdrantApiKey } : {}),
    });
    try {
      const ids: string[] = [];
      for await (const { text } of readJsonLines(values.corpus)) {
        const doc = JSON.parse(text) as { id?: unknown; _id?: unknown };
        ids.push(String(doc.id ?? doc._id));
      }
      const since = Date.now() - 1000;
      const published = new ProgressBar('publish', ids.length);
      await publishDocuments([values.corpus], {
        producer,
        topic: config.topicDocuments,
        mode: 'upsert',
        onSent: (n) => published.tick(n),
      });
      published.done('documents');

      const indexing = new ProgressBar('index', ids.length);
      let done = 0;
      const deadline = Date.now() + 300_000;
      while (done < ids.length) {
        if (Date.now() > deadline)
          throw new Error(
            `Only ${done} of ${ids.length} documents indexed after 5 minutes; see "embedstream status" and the worker logs.`,
          );
        await new Promise((r) => setTimeout(r, 500));
        const now = await indexedSince(qdrant, config, ids, since).catch(() => done);
        indexing.tick(now - done);
        done = now;
      }
      indexing.done('documents');

      const queries: { requestId: string; text: string }[] = [];
      for await (const { text } of readJsonLines(values.queries))
        queries.push(JSON.parse(text) as { requestId: string; text: string });
      const asked = queries
        .slice(0, 5)
        .map((q) => ({ ...q, requestId: `demo-${q.requestId}-${Date.now()}` }));
      await admin.connect();
      const listener = await AnswerListener.start(kafka, admin, config.topicQueryResults, 'demo');
      await producer.send(
        config.topicQueries,
        asked.map((q) => ({ key: q.requestId, value: JSON.stringify({ ...q, topK: 3 }) })),
      );
      await listener.waitFor(
        asked.map((q) => q.requestId),
        60_000,
      );
      for (const q of asked) printAnswer(q.text, listener.get(q.requestId));
      await listener.stop();

      const host = '127.0.0.1';
      console.log(`
Where to look:
  Temporal UI     http://${host}:8233  (workflows ingestBatch and searchQuery)
  Jaeger API      ${config.jaegerQueryUrl}/api/traces?service=embedstream-all&limit=20
  Bottlenecks     npx embedstream traces report --since 10m
  Metrics         http://${host}:${service.port}/metrics   (health: /healthz, /readyz)
  Status          npx embedstream status`);
      if (!values.exit && process.stdout.isTTY && !process.env.CI) {
        console.log('\nServing until Ctrl-C.');
        const stop = () => void service.stop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        await service.done;
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      await producer.disconnect();
      await service.stop();
    }
  },
};
