import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsumers, type RunningConsumers } from '../../consumers/index.ts';
import type { Config } from '../../src/config/index.ts';
import {
  AnswerListener,
  createKafka,
  DLQ_HEADER,
  ensureTopics,
  MessageProducer,
  silentLogger,
} from '../../src/kafka/index.ts';
import { isSearchError, type QueryResult } from '../../src/messages/index.ts';
import { connectTemporal } from '../../src/temporal/client.ts';
import type { SearchInput } from '../../workflows/contracts.ts';
import { startFakeWorker, type FakeWorker } from '../helpers/fake-worker.ts';
import { headerText, readTopic, readWholeTopic } from '../helpers/kafka-topic-reader.ts';
import { uniqueName } from '../helpers/names.ts';
import { configOf, isolatedEnv } from '../helpers/service-process.ts';

// Request ids unique to this run keep answers of earlier runs out of the way.
const run = uniqueName('q');
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'embedstream.js');
const env = isolatedEnv({ TOPIC_PARTITIONS: '2', QUERY_TOP_K: '7', OTEL_TRACES_ENABLED: 'false' });
const config: Config = configOf(env);
let kafka: Kafka;
let admin: Admin;
let producer: MessageProducer;
let temporal: Client;
let worker: FakeWorker;
let consumers: RunningConsumers;
let answers: AnswerListener;

async function ask(messages: { key: string; value: string }[]): Promise<void> {
  await producer.send(config.topicQueries, messages);
}

async function answerTo(requestId: string): Promise<QueryResult> {
  await answers.waitFor([requestId], 30_000);
  return answers.get(requestId)!;
}

/** Runs the CLI as a person would, with this file's topics and groups. */
function cli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  kafka = createKafka(config, { clientIdSuffix: '-test', logLevel: 'error' });
  await ensureTopics(config, kafka);
  admin = kafka.admin();
  await admin.connect();
  producer = new MessageProducer(kafka);
  temporal = await connectTemporal(config);
  worker = await startFakeWorker(config, config.taskQueueSearch, producer);
  answers = await AnswerListener.start(kafka, admin, config.topicQueryResults, 'test-answers');
  consumers = await startConsumers(config, { temporal, kafka, roles: ['queries'], logger: silentLogger });
});

afterAll(async () => {
  await consumers?.stop(5000);
  await answers?.stop();
  await worker?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
  await temporal?.connection.close();
});

describe('query consumer', () => {
  it('when a valid query is published, then a search workflow answers it on the results topic, keyed by its requestId', async () => {
    const publishedAt = Date.now();
    const filter = { must: [{ key: 'metadata.lang', match: { value: 'en' } }] };
    const requestId = `${run}-valid`;
    await ask([{ key: requestId, value: JSON.stringify({ requestId, text: 'what is a river', filter }) }]);

    const answer = await answerTo(requestId);
    if (isSearchError(answer)) throw new Error(answer.error);
    const input = answer.hits[0]?.metadata?.input as SearchInput;
    expect(input).toMatchObject({
      requestId,
      text: 'what is a river',
      topK: 7,
      filter,
      replyTopic: config.topicQueryResults,
    });
    expect(input.receivedAt).toBeGreaterThanOrEqual(publishedAt - 1000);
    expect(input.receivedAt).toBeLessThanOrEqual(Date.now());
    // Its workflow is named after the query message (topic, partition, offset) and ran on the search queue.
    const started = [];
    for await (const w of temporal.workflow.list({
      query: `WorkflowId STARTS_WITH 'search-${config.topicQueries}-'`,
    }))
      started.push(w);
    expect(started.length).toBeGreaterThan(0);
    expect(started.every((w) => w.taskQueue === config.taskQueueSearch)).toBe(true);
  });

  it('when an invalid query names its requestId, then the asker gets an error answer saying what is wrong', async () => {
    const requestId = `${run}-bad`;
    await ask([{ key: requestId, value: JSON.stringify({ requestId, text: '   ', topK: 0 }) }]);
    const answer = await answerTo(requestId);
    expect(answer).toEqual({
      requestId,
      error: expect.stringMatching(
        /text: must not be blank; topK: must be an integer from 1 to 1000/,
      ) as unknown,
    });
  });

  it('when a query carries no requestId, then it goes to the queries dead-letter topic with the reason', async () => {
    await ask([{ key: 'anonymous', value: '{"text": "who asked?"}' }]);
    const [letter] = await readTopic(kafka, config.topicQueriesDlq, 1);
    expect(letter?.value?.toString()).toBe('{"text": "who asked?"}');
    expect(headerText(letter!.headers, DLQ_HEADER.error)).toMatch(/requestId: is required/);
    expect(headerText(letter!.headers, DLQ_HEADER.errorType)).toBe('InvalidQuery');
    expect(headerText(letter!.headers, DLQ_HEADER.sourceTopic)).toBe(config.topicQueries);
  });

  it('when the same requestId is published twice, then each message is answered, once', async () => {
    // One key, so all three land on one partition, in order.
    const q = (requestId: string) => ({ key: 'dup', value: JSON.stringify({ requestId, text: 'twice' }) });
    await ask([q(`${run}-dup`), q(`${run}-dup`), q(`${run}-after-dup`)]);
    await answerTo(`${run}-dup`);
    await answerTo(`${run}-after-dup`);
    await new Promise((r) => setTimeout(r, 1000));
    const everything = await readWholeTopic(kafka, config.topicQueryResults);
    const dupAnswers = everything.filter((m) => m.key?.toString() === `${run}-dup`);
    // Two messages, two answers: workflows are keyed by message, so a reused request id is still answered.
    expect(dupAnswers).toHaveLength(2);
  });

  it('when `query --file` runs, then every query is answered and results.jsonl holds one line per query under its own id', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'embedstream-query-'));
    const queries = path.join(dir, 'queries.jsonl');
    const results = path.join(dir, 'results.jsonl');
    await writeFile(
      queries,
      [
        '{"_id": "PLAIN-1", "text": "first"}',
        '{"_id": "PLAIN-2", "text": "second", "topK": 2}',
        '{"_id": "PLAIN-3"}',
        '{"requestId": "own-id", "text": "third"}',
      ].join('\n'),
    );

    const run = await cli(['query', '--file', queries, '--out', results, '--top-k', '3']);

    expect(run.stderr).toMatch(/Skipped 1 invalid line\(s\):\n.*queries\.jsonl:3: text: is required/);
    expect(run.code).toBe(0);
    const lines = (await readFile(results, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; hits: { id: string; score: number }[] });
    expect(lines.map((l) => l.id)).toEqual(['PLAIN-1', 'PLAIN-2', 'own-id']);
    for (const line of lines)
      expect(line.hits).toEqual([{ id: expect.stringMatching(/^hit-for-/) as unknown, score: 1 }]);
    expect(run.stderr).toMatch(/latency \(publish → answer\): p50 \d+ ms/);
  });

  it('when `query "<text>" --json` runs, then it prints the answer', async () => {
    const run = await cli(['query', 'a single question', '--json']);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as {
      requestId: string;
      hits: { metadata: { input: SearchInput } }[];
    };
    expect(answer.hits[0]?.metadata.input).toMatchObject({ text: 'a single question', topK: 7 });
  });

  it('when no consumer answers, then `query` gives up after --timeout and says what to check', async () => {
    const unanswered = isolatedEnv({ TOPIC_PARTITIONS: '1' });
    await ensureTopics(configOf(unanswered), kafka);
    const run = await cli(['query', 'anyone there?', '--timeout', '2'], unanswered);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No answer came for 2 s: no answer for 1 of 1 queries/);
    expect(run.stderr).toMatch(/consumers and workers are running/);
  });
});
