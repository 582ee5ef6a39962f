import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { QueryFailedError } from '../../src/eval/run-eval.ts';
import {
  NoWorkerError,
  resultWithPickupDeadline,
  TemporalBackend,
  type StartedWorkflow,
} from '../../src/eval/temporal-backend.ts';

interface FakeState {
  historyLength: number;
  status: string;
  taskState?: number;
}

/** A workflow handle whose result comes when `finish` is called, and whose description is `state`. */
function fakeHandle<T>(state: FakeState) {
  let finish!: (value: T) => void;
  let fail!: (err: Error) => void;
  const result = new Promise<T>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const terminated: string[] = [];
  const handle: StartedWorkflow<T> = {
    result: () => result,
    describe: () =>
      Promise.resolve({
        historyLength: state.historyLength,
        status: { name: state.status },
        raw: { pendingWorkflowTask: state.taskState === undefined ? null : { state: state.taskState } },
      }),
    terminate: (reason) => {
      terminated.push(reason ?? '');
      fail(new Error('terminated'));
      return Promise.resolve();
    },
  };
  return { handle, finish, terminated };
}

const pickup = { deadlineMs: 20, taskQueue: 'embedstream-search', what: 'search workflow search-x' };

describe('resultWithPickupDeadline', () => {
  it('when the workflow finishes before the deadline, then its result is returned', async () => {
    const { handle, finish } = fakeHandle<string>({ historyLength: 2, status: 'RUNNING' });
    finish('done');
    await expect(resultWithPickupDeadline(handle, pickup)).resolves.toBe('done');
  });

  it('when no worker took the first task by the deadline, then the workflow is terminated and the error says how to start workers', async () => {
    const { handle, terminated } = fakeHandle<string>({ historyLength: 2, status: 'RUNNING', taskState: 1 });
    const err = await resultWithPickupDeadline(handle, pickup).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoWorkerError);
    expect((err as Error).message).toContain('task queue "embedstream-search"');
    expect((err as Error).message).toContain('embedstream run --role worker');
    expect(terminated).toHaveLength(1);
  });

  it('when a worker has picked the workflow up but it is slow, then the result is awaited past the deadline', async () => {
    const { handle, finish, terminated } = fakeHandle<string>({ historyLength: 6, status: 'RUNNING' });
    setTimeout(() => finish('late'), 60);
    await expect(resultWithPickupDeadline(handle, pickup)).resolves.toBe('late');
    expect(terminated).toHaveLength(0);
  });

  it('when a worker holds the first task (a local activity running), then it counts as picked up', async () => {
    const { handle, finish, terminated } = fakeHandle<string>({
      historyLength: 2,
      status: 'RUNNING',
      taskState: 2,
    });
    setTimeout(() => finish('found'), 60);
    await expect(resultWithPickupDeadline(handle, pickup)).resolves.toBe('found');
    expect(terminated).toHaveLength(0);
  });

  it('when the workflow closed between the deadline and the look, then its result is returned', async () => {
    const state = { historyLength: 2, status: 'RUNNING' };
    const { handle, finish } = fakeHandle<string>(state);
    const describe = handle.describe.bind(handle);
    handle.describe = async () => {
      state.status = 'COMPLETED';
      finish('just in time');
      return describe();
    };
    await expect(resultWithPickupDeadline(handle, pickup)).resolves.toBe('just in time');
  });
});

/** A Temporal client that records starts and hands back the given handle. */
function fakeClient(handle: StartedWorkflow<unknown>) {
  const starts: { workflow: string; options: { taskQueue: string; workflowId: string; args: unknown[] } }[] =
    [];
  const client = {
    workflow: {
      start: (workflow: string, options: { taskQueue: string; workflowId: string; args: unknown[] }) => {
        starts.push({ workflow, options });
        return Promise.resolve(handle);
      },
    },
  } as unknown as Client;
  return { client, starts };
}

const queues = { taskQueueIngest: 'q-ingest', taskQueueSearch: 'q-search' };

describe('TemporalBackend', () => {
  it('when batches are ingested, then each starts an ingest workflow on the ingest queue with its own id', async () => {
    const { handle, finish } = fakeHandle<unknown>({ historyLength: 5, status: 'RUNNING' });
    finish({ upserted: 1, deleted: 0, chunks: 1, failed: [] });
    const { client, starts } = fakeClient(handle);
    const backend = new TemporalBackend(client, queues, 'tag1', 1_000);
    const doc = { id: 'd1', op: 'upsert' as const, text: 't', version: 1, collection: 'c' };
    await backend.ingest([doc]);
    await backend.ingest([doc]);
    expect(starts.map((s) => [s.workflow, s.options.taskQueue, s.options.workflowId])).toEqual([
      ['ingestBatch', 'q-ingest', 'eval-ingest-tag1-0'],
      ['ingestBatch', 'q-ingest', 'eval-ingest-tag1-1'],
    ]);
    expect(starts[0]!.options.args).toEqual([{ documents: [doc] }]);
  });

  it('when the search workflow fails, then the query fails alone with the failure type and message of the activity', async () => {
    const http = new Error('Not Found');
    const root = ApplicationFailure.create({
      message: 'query eval-x: collection eval-x does not exist',
      type: 'CollectionNotFound',
      nonRetryable: true,
      cause: http,
    });
    const failed = new WorkflowFailedError(
      'Workflow execution failed',
      new Error('Activity task failed', { cause: root }),
      RetryState.NON_RETRYABLE_FAILURE,
    );
    const handle: StartedWorkflow<unknown> = {
      result: () => Promise.reject(failed),
      describe: () => Promise.resolve({ historyLength: 8, status: { name: 'FAILED' } }),
      terminate: () => Promise.resolve(),
    };
    const { client, starts } = fakeClient(handle);
    const backend = new TemporalBackend(client, queues, 'tag1', 1_000);
    const err = await backend.search({ requestId: 'r1', text: 'x', topK: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryFailedError);
    expect((err as Error).message).toBe('CollectionNotFound: query eval-x: collection eval-x does not exist');
    expect(starts[0]).toMatchObject({
      workflow: 'searchQuery',
      options: {
        taskQueue: 'q-search',
        workflowId: expect.stringMatching(/^search-r1-[0-9a-f]{8}$/) as unknown,
      },
    });
  });
});
