import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { workflowEnd } from '../../../consumers/running-ingests.ts';

/** A client whose `result()` answers in turn with each of `answers` (an Error rejects). */
function clientAnswering(...answers: unknown[]) {
  let asked = 0;
  const client = {
    withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn(),
    workflow: {
      getHandle: () => ({
        result: () => {
          const answer = answers[Math.min(asked++, answers.length - 1)];
          return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
        },
      }),
    },
  } as unknown as Client;
  return { client, asked: () => asked };
}

const running = () => new AbortController().signal;

describe('the end of a workflow', () => {
  it('when the workflow completes, then it has ended', async () => {
    const { client, asked } = clientAnswering({ upserted: 1 });
    await workflowEnd(client, 'w', running());
    expect(asked()).toBe(1);
  });

  it('when the workflow failed or is not found, then it has ended too', async () => {
    for (const err of [
      new WorkflowFailedError('failed', undefined, 'NON_RETRYABLE_FAILURE'),
      new WorkflowNotFoundError('gone', 'w', undefined),
    ]) {
      const { client, asked } = clientAnswering(err);
      await workflowEnd(client, 'w', running());
      expect(asked()).toBe(1);
    }
  });

  it('when Temporal cannot be reached, then it asks again until it knows', async () => {
    const { client, asked } = clientAnswering(new Error('14 UNAVAILABLE: connection refused'), {
      upserted: 1,
    });
    await workflowEnd(client, 'w', running());
    expect(asked()).toBe(2);
  });

  it('when the consumer stops while Temporal cannot be reached, then the wait ends', async () => {
    const { client, asked } = clientAnswering(new Error('14 UNAVAILABLE: connection refused'));
    const stop = new AbortController();
    const ended = workflowEnd(client, 'w', stop.signal);
    stop.abort();
    await ended;
    expect(asked()).toBe(1);
  });
});
