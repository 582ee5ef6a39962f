import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import type { SearchAnswer, SearchError, SearchInput } from '../../workflows/contracts.ts';
import type { searchQuery } from '../../workflows/search-query.ts';
import { createTestEnv, runOnTestWorker } from '../helpers/temporal-test-env.ts';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env?.teardown();
});

const input: SearchInput = { requestId: 'r1', text: 'sourdough', topK: 3, replyTopic: 'query-results' };

async function runSearch(answerQuery: Activities['answerQuery']) {
  const published: { topic: string; answer: SearchAnswer | SearchError }[] = [];
  const activities: Partial<Activities> = {
    answerQuery,
    publishAnswer: async (topic: string, answer: SearchAnswer | SearchError) => {
      published.push({ topic, answer });
    },
  };
  const outcome = await runOnTestWorker(env, activities, (taskQueue) =>
    env.client.workflow
      .execute<typeof searchQuery>('searchQuery', { taskQueue, workflowId: taskQueue, args: [input] })
      .then(
        (answer) => ({ answer, error: undefined }),
        (error: unknown) => ({ answer: undefined, error }),
      ),
  );
  return { ...outcome, published };
}

describe('the search workflow', () => {
  it('when the search succeeds, then the activity’s answer is returned and nothing else is published', async () => {
    const answer: SearchAnswer = { requestId: 'r1', hits: [{ id: 'bake-02', score: 0.61 }], tookMs: 12 };
    const { answer: result, published } = await runSearch(async () => answer);
    expect(result).toEqual(answer);
    expect(published).toEqual([]);
  });

  it('when the search fails transiently, then it is retried and answers', async () => {
    let attempts = 0;
    const { answer, published } = await runSearch(async (q) => {
      attempts += 1;
      if (attempts === 1) throw ApplicationFailure.create({ type: 'QdrantUnavailable', message: 'refused' });
      return { requestId: q.requestId, hits: [], tookMs: 5 };
    });
    expect(attempts).toBe(2);
    expect(answer?.requestId).toBe('r1');
    expect(published).toEqual([]);
  });

  it('when the search fails for good, then the error is published to the reply topic and the workflow fails, after no retry', async () => {
    let attempts = 0;
    const { error, published } = await runSearch(async () => {
      attempts += 1;
      throw ApplicationFailure.create({ type: 'EmptyText', message: 'the query text is empty' });
    });
    expect(attempts).toBe(1);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(published).toEqual([
      { topic: 'query-results', answer: { requestId: 'r1', error: 'the query text is empty' } },
    ]);
  });
});
