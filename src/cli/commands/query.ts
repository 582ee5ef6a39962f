import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../config/index.ts';
import {
  AnswerListener,
  AnswerTimeoutError,
  connectAdmin,
  createKafka,
  explainKafkaError,
  MessageProducer,
  requireTopics,
} from '../../kafka/index.ts';
import {
  isSearchError,
  MAX_TOP_K,
  readQueryFile,
  resultLine,
  type QueryFileEntry,
  type QueryMessage,
  type QueryResult,
} from '../../messages/index.ts';
import { UsageError, type Command } from '../command.ts';
import { ProgressBar } from '../progress.ts';
import { printAnswer } from './search.ts';

interface Asked extends QueryFileEntry {
  sentAt?: number;
  receivedAt?: number;
}

const SEND_BATCH = 500;

export const queryCommand: Command = {
  path: ['query'],
  summary: 'Ask queries through Kafka and wait for the answers',
  usage: `Usage: embedstream query "<text>" [--top-k 10] [--collection NAME] [--filter JSON] [--mmr] [--json]
       embedstream query --file queries.jsonl [--top-k 10] [--out results.jsonl]

Publishes queries to TOPIC_QUERIES and waits for their answers on TOPIC_QUERY_RESULTS (needs
consumers and workers running: "embedstream run").

  --file       one query per line: {"_id"|"requestId": …, "text": …, "topK"?: …, "filter"?: {…}}
  --out        where --file answers go, one line per query: {"id", "hits": [{"id", "score"}]}
               (default: standard output)
  --top-k      hits per answer (default: QUERY_TOP_K; a line's own topK wins)
  --timeout    give up when no answer came for this many seconds (default 30)
  --json       print the single answer as JSON`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        file: { type: 'string' },
        out: { type: 'string' },
        'top-k': { type: 'string' },
        collection: { type: 'string' },
        filter: { type: 'string' },
        mmr: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '30' },
      },
    });
    const config = loadConfig();
    const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
    if (topK !== undefined && (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K))
      throw new UsageError(`--top-k must be an integer from 1 to ${MAX_TOP_K}.`);
    const timeoutSeconds = Number(values.timeout);
    if (!(timeoutSeconds > 0)) throw new UsageError('--timeout must be a positive number of seconds.');
    const text = positionals.join(' ').trim();
    if (values.file && text) throw new UsageError('Give either a query text or --file, not both.');
    if (!values.file && !text)
      throw new UsageError('Give the text to search for, or --file with one query per line.');

    const runId = randomUUID().slice(0, 8);
    let asked: Asked[];
    if (values.file) {
      let read;
      try {
        read = await readQueryFile(values.file, runId, topK);
      } catch (err) {
        throw new UsageError(
          `Cannot read ${values.file}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (read.invalid.length > 0)
        console.error(
          `Skipped ${read.invalid.length} invalid line(s):\n${read.invalid
            .slice(0, 10)
            .map((l) => `  ${l}`)
            .join('\n')}`,
        );
      asked = read.queries;
    } else {
      const message: QueryMessage = {
        requestId: `${runId}-0`,
        text,
        topK: topK ?? config.queryTopK,
        mmr: values.mmr,
      };
      if (values.collection) message.collection = values.collection;
      if (values.filter) message.filter = parseFilter(values.filter);
      asked = [{ id: message.requestId, message }];
    }
    if (asked.length === 0) throw new UsageError(`${values.file} holds no query.`);

    const kafka = createKafka(config, { clientIdSuffix: '-cli', logLevel: 'error', retryProfile: 'cli' });
    const admin = kafka.admin();
    const producer = new MessageProducer(kafka);
    let listener: AnswerListener | undefined;
    try {
      await connectAdmin(admin, config.kafkaBrokers);
      await requireTopics(admin, [config.topicQueries, config.topicQueryResults]);
      // Listening first: the answers must find someone reading when they come.
      listener = await AnswerListener.start(
        kafka,
        admin,
        config.topicQueryResults,
        `${config.kafkaGroupId}-query-cli`,
      );
      await producer.connect();
      const bar = values.file ? new ProgressBar('answers', asked.length) : undefined;
      const byRequest = new Map(asked.map((a) => [a.message.requestId, a]));
      const waiting = listener.waitFor([...byRequest.keys()], timeoutSeconds * 1000, (result) => {
        byRequest.get(result.requestId)!.receivedAt = performance.now();
        bar?.tick();
      });
      // A failed send must not leave the wait above unobserved.
      waiting.catch(() => undefined);
      for (let i = 0; i < asked.length; i += SEND_BATCH) {
        const group = asked.slice(i, i + SEND_BATCH);
        const sentAt = performance.now();
        for (const a of group) a.sentAt = sentAt;
        await producer.send(
          config.topicQueries,
          group.map((a) => ({ key: a.message.requestId, value: JSON.stringify(a.message) })),
        );
      }
      let timedOut: AnswerTimeoutError | undefined;
      try {
        await waiting;
      } catch (err) {
        if (!(err instanceof AnswerTimeoutError)) throw err;
        timedOut = err;
      }
      bar?.done('answers');
      const results = asked.map((a) => ({ asked: a, result: listener!.get(a.message.requestId) }));
      if (values.file) {
        await writeResults(values.out, results);
        printLatency(asked);
      } else {
        const result = results[0]?.result;
        if (result && isSearchError(result)) console.error(`The query failed: ${result.error}`);
        else if (result && values.json) console.log(JSON.stringify(result));
        else if (result) printAnswer(result);
      }
      if (timedOut) {
        console.error(explainTimeout(timedOut, timeoutSeconds, config));
        return 1;
      }
      return results.some((r) => r.result && isSearchError(r.result)) ? 1 : 0;
    } catch (err) {
      const explained = explainKafkaError(err);
      if (!explained) throw err;
      console.error(explained);
      return 1;
    } finally {
      await listener?.stop().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  },
};

function parseFilter(text: string): Record<string, unknown> {
  try {
    const filter: unknown = JSON.parse(text);
    if (filter && typeof filter === 'object' && !Array.isArray(filter))
      return filter as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UsageError(
    '--filter must be a Qdrant filter as a JSON object, e.g. \'{"must":[{"key":"metadata.lang","match":{"value":"en"}}]}\'.',
  );
}

async function writeResults(
  out: string | undefined,
  results: { asked: Asked; result: QueryResult | undefined }[],
): Promise<void> {
  const stream: NodeJS.WritableStream = out ? createWriteStream(out) : process.stdout;
  for (const { asked, result } of results) {
    if (!result) continue;
    const line = resultLine(asked.id, result);
    if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
  }
  if (out) {
    stream.end();
    await once(stream, 'finish');
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Publish-to-answer latency as this command saw it: the whole path through Kafka, Temporal and back. */
function printLatency(asked: readonly Asked[]): void {
  const ms = asked
    .filter((a) => a.sentAt !== undefined && a.receivedAt !== undefined)
    .map((a) => a.receivedAt! - a.sentAt!)
    .sort((a, b) => a - b);
  if (ms.length === 0) return;
  const f = (v: number) => `${v.toFixed(0)} ms`;
  console.error(
    `latency (publish → answer): p50 ${f(percentile(ms, 50))}, p95 ${f(percentile(ms, 95))}, p99 ${f(percentile(ms, 99))}`,
  );
}

function explainTimeout(err: AnswerTimeoutError, seconds: number, config: Config): string {
  return (
    `No answer came for ${seconds} s: ${err.message}. Check that\n` +
    '  - consumers and workers are running ("embedstream run", or "--role consumer" and "--role worker"),\n' +
    `  - they read TOPIC_QUERIES=${config.topicQueries} and answer on TOPIC_QUERY_RESULTS=${config.topicQueryResults},\n` +
    `  - the search workflows on task queue ${config.taskQueueSearch} did not fail (Temporal UI, namespace ${config.temporalNamespace}).`
  );
}
