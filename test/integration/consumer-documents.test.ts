import type { Client } from '@temporalio/client';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startConsumers,
  temporalStarter,
  type RunningConsumers,
  type WorkflowStarter,
} from '../../consumers/index.ts';
import { documentsGroupId } from '../../consumers/document-consumer.ts';
import type { Config } from '../../src/config/index.ts';
import {
  createKafka,
  DLQ_HEADER,
  ensureTopics,
  MessageProducer,
  silentLogger,
} from '../../src/kafka/index.ts';
import { connectTemporal } from '../../src/temporal/client.ts';
import { INGEST_WORKFLOW, type IngestBatchInput } from '../../workflows/contracts.ts';
import { startFakeWorker, type FakeWorker } from '../helpers/fake-worker.ts';
import { headerText, readTopic } from '../helpers/kafka-topic-reader.ts';
import { configOf, eventually, isolatedEnv } from '../helpers/service-process.ts';

/** One test's world: its own topics, group and task queue, a raw producer for exact bytes. */
interface World {
  config: Config;
  kafka: Kafka;
  raw: Producer;
  producer: MessageProducer;
}

const worlds: World[] = [];
const stoppers: (() => Promise<void>)[] = [];
let temporal: Client;

async function world(overrides: Record<string, string>): Promise<World> {
  const config = configOf(
    isolatedEnv({ TOPIC_PARTITIONS: '1', INGEST_BATCH_MAX_WAIT_MS: '200', ...overrides }),
  );
  const kafka = createKafka(config, { clientIdSuffix: '-test', logLevel: 'error' });
  await ensureTopics(config, kafka);
  const raw = kafka.producer({ allowAutoTopicCreation: false });
  await raw.connect();
  const producer = new MessageProducer(kafka);
  const w = { config, kafka, raw, producer };
  worlds.push(w);
  return w;
}

async function consume(w: World, starter?: WorkflowStarter): Promise<RunningConsumers> {
  const consumers = await startConsumers(w.config, {
    temporal,
    kafka: w.kafka,
    roles: ['documents'],
    logger: silentLogger,
    ...(starter ? { starter } : {}),
  });
  stoppers.push(() => consumers.stop(5000));
  return consumers;
}

async function worker(w: World): Promise<FakeWorker> {
  const fake = await startFakeWorker(w.config, w.config.taskQueueIngest, w.producer);
  stoppers.push(() => fake.stop());
  return fake;
}

async function publish(w: World, docs: object[]): Promise<void> {
  await w.raw.send({
    topic: w.config.topicDocuments,
    acks: -1,
    messages: docs.map((d) => ({ key: (d as { id: string }).id, value: JSON.stringify(d) })),
  });
}

/** Ids of the ingest workflows started on this world's task queue (visibility lags a little). */
async function ingestWorkflowIds(w: World): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of temporal.workflow.list({
    query: `WorkflowType = '${INGEST_WORKFLOW}' AND TaskQueue = '${w.config.taskQueueIngest}'`,
  }))
    ids.push(wf.workflowId);
  return ids.sort();
}

/** The group's committed offset of partition 0, with the metadata beside it. */
async function committed(w: World): Promise<{ offset: string; metadata: string | null } | undefined> {
  const admin = w.kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({
      groupId: documentsGroupId(w.config),
      topics: [w.config.topicDocuments],
    });
    return topic?.partitions.find((p) => p.partition === 0);
  } finally {
    await admin.disconnect();
  }
}

async function committedOffset(w: World): Promise<string | undefined> {
  return (await committed(w))?.offset;
}

/** Waits until the group's committed offset of partition 0 is `offset`. */
async function untilCommitted(w: World, offset: string, what: string, timeoutMs = 30_000): Promise<void> {
  await eventually(
    what,
    () => committedOffset(w),
    (o) => o === offset,
    timeoutMs,
  );
}

beforeAll(async () => {
  temporal = await connectTemporal(configOf(isolatedEnv()));
});

afterAll(async () => {
  for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  for (const w of worlds) {
    await w.raw.disconnect();
    await w.producer.disconnect();
  }
  await temporal?.connection.close();
});

describe('document consumer', () => {
  it('when valid and invalid documents are published, then the invalid ones land in the DLQ with their reason and original bytes while the valid ones reach ingest workflows', async () => {
    const w = await world({ INGEST_BATCH_DOCS: '3' });
    await worker(w);
    const topic = w.config.topicDocuments;
    const invalid = [
      {
        key: 'broken-1',
        value: '{"id": "broken-1", "text": ',
        reason: /not valid JSON/,
        type: 'MalformedJson',
      },
      {
        key: 'no-text',
        value: '{"id":"no-text","title":"only a title"}',
        reason: /text: is required for an upsert/,
        type: 'InvalidDocument',
      },
      {
        key: 'other-key',
        value: '{"id":"mismatch","text":"hello"}',
        reason: /key "other-key" differs from id "mismatch"/,
        type: 'KeyMismatch',
      },
    ];
    // Interleaved, one message per send, so each invalid message's offset is known.
    const offsets = new Map<string, string>();
    let n = 0;
    for (const bad of invalid) {
      await publish(w, [
        { id: `doc-${n++}`, text: 'first valid' },
        { id: `doc-${n++}`, text: 'second valid', title: 'T' },
      ]);
      const [meta] = await w.raw.send({
        topic,
        acks: -1,
        messages: [{ key: bad.key, value: bad.value, headers: { 'x-origin': 'test' } }],
      });
      offsets.set(bad.key, meta!.baseOffset!);
    }
    await publish(w, [
      { _id: `doc-${n++}`, title: 'a BEIR line', text: 'beir text', metadata: { url: 'u' } },
    ]);

    await consume(w);

    const letters = await readTopic(w.kafka, w.config.topicDocumentsDlq, invalid.length);
    expect(letters).toHaveLength(invalid.length);
    for (const bad of invalid) {
      const letter = letters.find((l) => l.key?.toString() === bad.key);
      expect(letter, `dead letter of ${bad.key}`).toBeDefined();
      expect(letter!.value?.toString()).toBe(bad.value);
      expect(headerText(letter!.headers, DLQ_HEADER.error)).toMatch(bad.reason);
      expect(headerText(letter!.headers, DLQ_HEADER.errorType)).toBe(bad.type);
      expect(headerText(letter!.headers, DLQ_HEADER.sourceTopic)).toBe(topic);
      expect(headerText(letter!.headers, DLQ_HEADER.sourcePartition)).toBe('0');
      expect(headerText(letter!.headers, DLQ_HEADER.sourceOffset)).toBe(offsets.get(bad.key));
      expect(headerText(letter!.headers, 'x-origin')).toBe('test');
    }

    // The fake ingest workflow returns its input; how many sub-batches there are depends on timing.
    const inputsNow = async () => {
      const ids = await ingestWorkflowIds(w);
      return Promise.all(
        ids.map((id) => temporal.workflow.getHandle(id).result() as Promise<IngestBatchInput>),
      );
    };
    const inputs = await eventually(
      '7 valid documents in ingest workflows',
      inputsNow,
      (x) => x.flatMap((i) => i.documents).length >= 7,
      30_000,
    );
    const documents = inputs.flatMap((i) => i.documents);
    expect(documents.map((d) => d.id).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `doc-${i}`).sort());
    for (const input of inputs) {
      expect(input.source?.topic).toBe(topic);
      for (const d of input.documents) {
        expect(Number(d.offset)).toBeGreaterThanOrEqual(Number(input.source!.fromOffset));
        expect(Number(d.offset)).toBeLessThanOrEqual(Number(input.source!.toOffset));
        expect(d.version).toBeGreaterThan(Date.now() - 600_000);
      }
    }
    expect(documents.find((d) => d.id === 'doc-6')).toMatchObject({
      op: 'upsert',
      title: 'a BEIR line',
      text: 'beir text',
      metadata: { url: 'u' },
    });
    // 7 valid and 3 invalid messages: everything is committed once handed off.
    await untilCommitted(w, '10', 'all offsets committed', 15_000);
  });

  it('when the consumer dies after Temporal acknowledged a start but before the commit, then the redelivery starts no second workflow', async () => {
    const w = await world({ INGEST_BATCH_DOCS: '4' });
    const real = temporalStarter(temporal);
    let crashes = 0;
    const dying: WorkflowStarter = {
      async start(request) {
        // The first start reaches Temporal; then the process "dies" before it can commit.
        if (crashes === 0) await real.start(request);
        crashes += 1;
        throw new Error('simulated crash between the start and the commit');
      },
    };
    await publish(
      w,
      [0, 1, 2, 3].map((i) => ({ id: `r-${i}`, text: `text ${i}` })),
    );
    const first = await consume(w, dying);
    await eventually(
      'the start before the crash',
      () => Promise.resolve(crashes),
      (c) => c >= 1,
      30_000,
    );
    await first.stop(5000);
    expect(await committedOffset(w)).not.toBe('4');
    // The workflow even completes before the redelivery: its id must still be refused.
    await worker(w);
    await temporal.workflow.getHandle(`ingest-${w.config.topicDocuments}-0-0-3`).result();

    const outcomes: string[] = [];
    const recording: WorkflowStarter = {
      async start(request) {
        const outcome = await real.start(request);
        outcomes.push(outcome);
        return outcome;
      },
    };
    await consume(w, recording);
    await untilCommitted(w, '4', 'redelivered batch committed');
    expect(outcomes).toEqual(['already_started']);
    expect(
      await eventually(
        'one workflow',
        () => ingestWorkflowIds(w),
        (ids) => ids.length === 1,
        10_000,
      ),
    ).toEqual([`ingest-${w.config.topicDocuments}-0-0-3`]);
  });

  it('when Temporal has not acknowledged the start yet, then nothing is committed', async () => {
    const w = await world({ INGEST_BATCH_DOCS: '8' });
    const real = temporalStarter(temporal);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let called = false;
    const slow: WorkflowStarter = {
      async start(request) {
        called = true;
        await gate;
        return real.start(request);
      },
    };
    await publish(
      w,
      [0, 1, 2].map((i) => ({ id: `c-${i}`, text: `text ${i}` })),
    );
    await consume(w, slow);
    await eventually('the start is under way', () => Promise.resolve(called), Boolean, 30_000);
    // Long enough for any commit kafkajs would make on its own to have happened.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await committedOffset(w)).toBe('-1');
    release();
    await untilCommitted(w, '3', 'committed after the start', 15_000);
  });

  it('when the ingest backlog reaches INGEST_MAX_BACKLOG, then the consumer pauses until the workflows complete, then resumes', async () => {
    const w = await world({ INGEST_BATCH_DOCS: '1', INGEST_MAX_BACKLOG: '2' });
    await publish(
      w,
      [0, 1, 2, 3, 4, 5].map((i) => ({ id: `b-${i}`, text: `text ${i}` })),
    );
    // No worker on this task queue yet: started workflows stay running, the backlog fills up.
    await consume(w);
    await eventually(
      'two workflows started',
      () => ingestWorkflowIds(w),
      (ids) => ids.length === 2,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(await ingestWorkflowIds(w)).toHaveLength(2);
    expect(await committedOffset(w)).toBe('2');

    await worker(w);
    await untilCommitted(w, '6', 'all six handed off', 60_000);
    expect(await ingestWorkflowIds(w)).toHaveLength(6);
  });
});

describe('document consumer taking a partition over', () => {
  it('when sub-batches are handed off, then the committed offset names the ingest workflows still running, and drops them once they finished', async () => {
    const w = await world({ INGEST_BATCH_DOCS: '1' });
    await publish(
      w,
      [0, 1, 2].map((i) => ({ id: `m-${i}`, text: `text ${i}` })),
    );
    // No worker yet: the three workflows stay running.
    await consume(w);
    await untilCommitted(w, '3', 'all three committed');
    expect((await committed(w))?.metadata).toBe('{"running":["2-2","1-1","0-0"]}');

    await worker(w);
    for (const id of await ingestWorkflowIds(w)) await temporal.workflow.getHandle(id).result();
    await publish(w, [{ id: 'm-3', text: 'text 3' }]);
    await untilCommitted(w, '4', 'the fourth committed');
    expect((await committed(w))?.metadata).toBe('{"running":["3-3"]}');
  });

  it('when the previous owner’s running workflow is not in the visibility store, then the new owner still waits for it before changing the same document', async () => {
    const w = await world({ INGEST_BATCH_DOCS: '1' });
    // The previous owner starts on a task queue the new owner's visibility query does not look at:
    // only the committed offset can tell the new owner of its workflow.
    const elsewhere = { ...w.config, taskQueueIngest: `${w.config.taskQueueIngest}-previous` };
    await publish(w, [{ id: 'k', text: 'the first version' }]);
    const previous = await startConsumers(elsewhere, {
      temporal,
      kafka: w.kafka,
      roles: ['documents'],
      logger: silentLogger,
    });
    stoppers.push(() => previous.stop(5000));
    await untilCommitted(w, '1', 'the upsert handed off');
    await previous.stop(5000);
    const upsert = temporal.workflow.getHandle(`ingest-${w.config.topicDocuments}-0-0-0`);
    expect((await upsert.describe()).status.name).toBe('RUNNING');

    await publish(w, [{ id: 'k', op: 'delete' }]);
    const started: string[] = [];
    const real = temporalStarter(temporal);
    await consume(w, {
      start(request) {
        started.push(request.workflowId);
        return real.start(request);
      },
    });
    // Long enough for the delete to have been fetched and started, had nothing held it back.
    await new Promise((r) => setTimeout(r, 4000));
    expect(started).toEqual([]);
    expect(await committedOffset(w)).toBe('1');

    await upsert.terminate('the test finishes it');
    await untilCommitted(w, '2', 'the delete handed off');
    expect(started).toEqual([`ingest-${w.config.topicDocuments}-0-1-1`]);
    await temporal.workflow.getHandle(started[0]!).terminate('test over');
  });
});
