import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningIngests } from '../../consumers/running-ingests.ts';
import { connectTemporal } from '../../src/temporal/client.ts';
import { INGEST_WORKFLOW, ingestWorkflowId, type IngestBatchInput } from '../../workflows/contracts.ts';
import { configOf, eventually, isolatedEnv } from '../helpers/service-process.ts';

// No worker polls these task queues: the workflows started here stay running until terminated.
const env = isolatedEnv();
const config = configOf(env);
const topic = config.topicDocuments;
let client: Client;
const started: string[] = [];

async function startIngest(
  source: IngestBatchInput['source'] & object,
  ids: string[],
  taskQueue = config.taskQueueIngest,
): Promise<string> {
  const workflowId = ingestWorkflowId(source);
  const input: IngestBatchInput = {
    documents: ids.map((id, i) => ({ id, op: 'upsert', text: `text ${id}`, version: i + 1 })),
    source,
  };
  await client.workflow.start(INGEST_WORKFLOW, {
    taskQueue,
    workflowId,
    args: [input],
  });
  started.push(workflowId);
  return workflowId;
}

beforeAll(async () => {
  client = await connectTemporal(config);
});

afterAll(async () => {
  await Promise.all(
    started.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await client.connection.close();
});

describe('the running ingest workflows of a partition', () => {
  it('when workflows of several partitions and a look-alike topic run, then exactly the partition’s ones come back, with their documents', async () => {
    const mine = await startIngest({ topic, partition: 1, fromOffset: '0', toOffset: '1' }, ['a', 'b']);
    await startIngest({ topic, partition: 0, fromOffset: '0', toOffset: '0' }, ['c']);
    // Its workflow id starts like partition 1's of `topic`: `ingest-<topic>-1-…`.
    await startIngest({ topic: `${topic}-1`, partition: 2, fromOffset: '0', toOffset: '0' }, ['d']);
    const found = await eventually(
      'the started workflows visible',
      () => runningIngests(client, config.taskQueueIngest, topic, 1),
      (f) => f.length > 0,
    );
    expect(found.map((f) => [f.workflowId, f.documents.map((d) => d.id)])).toEqual([[mine, ['a', 'b']]]);
  });

  it('when a workflow has finished, then it is no longer listed', async () => {
    const done = await startIngest({ topic, partition: 3, fromOffset: '5', toOffset: '5' }, ['e']);
    await eventually(
      'the workflow visible',
      () => runningIngests(client, config.taskQueueIngest, topic, 3),
      (f) => f.length === 1,
    );
    await client.workflow.getHandle(done).terminate('finished for the test');
    const after = await eventually(
      'the workflow no longer running',
      () => runningIngests(client, config.taskQueueIngest, topic, 3),
      (f) => f.length === 0,
    );
    expect(after).toEqual([]);
  });

  it('when workflows are named that the visibility query does not list, then the running ones among them come back too', async () => {
    // Started on another task queue: the visibility query of this one never lists them.
    const unseen = await startIngest(
      { topic, partition: 4, fromOffset: '7', toOffset: '8' },
      ['f', 'g'],
      `${config.taskQueueIngest}-other`,
    );
    const finished = await startIngest(
      { topic, partition: 4, fromOffset: '5', toOffset: '6' },
      ['h'],
      `${config.taskQueueIngest}-other`,
    );
    await client.workflow.getHandle(finished).terminate('finished for the test');
    const listed = await startIngest({ topic, partition: 4, fromOffset: '9', toOffset: '9' }, ['i']);
    const never = ingestWorkflowId({ topic, partition: 4, fromOffset: '1', toOffset: '4' });
    const found = await eventually(
      'the listed workflow visible',
      () => runningIngests(client, config.taskQueueIngest, topic, 4, [unseen, finished, never, listed]),
      (f) => f.some((w) => w.workflowId === listed),
    );
    expect(found.map((f) => [f.workflowId, f.documents.map((d) => d.id)])).toEqual([
      [listed, ['i']],
      [unseen, ['f', 'g']],
    ]);
  });
});
