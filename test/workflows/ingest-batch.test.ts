import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import type { DocumentInput, FailedDocument } from '../../workflows/contracts.ts';
import type { ingestBatch } from '../../workflows/ingest-batch.ts';
import { createTestEnv, runOnTestWorker } from '../helpers/temporal-test-env.ts';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env?.teardown();
});

const docs: DocumentInput[] = [
  { id: 'a', op: 'upsert', text: 'alpha', version: 1 },
  { id: 'b', op: 'upsert', text: 'beta', version: 1 },
];

async function runIngest(ingestDocuments: Activities['ingestDocuments']) {
  const reported: { ids: string[]; failures: FailedDocument[] }[] = [];
  const activities: Partial<Activities> = {
    ingestDocuments,
    reportFailedDocuments: async (documents: DocumentInput[], failures: FailedDocument[]) => {
      reported.push({ ids: documents.map((d) => d.id), failures });
    },
  };
  const result = await runOnTestWorker(env, activities, (taskQueue) =>
    env.client.workflow.execute<typeof ingestBatch>('ingestBatch', {
      taskQueue,
      workflowId: taskQueue,
      args: [{ documents: docs }],
    }),
  );
  return { result, reported };
}

describe('the ingest workflow', () => {
  it('when every document is indexed, then nothing is dead-lettered', async () => {
    const { result, reported } = await runIngest(async () => ({
      upserted: 2,
      deleted: 0,
      chunks: 2,
      failed: [],
    }));
    expect(result.upserted).toBe(2);
    expect(reported).toEqual([]);
  });

  it('when some documents fail, then exactly those go to the dead-letter topic with their reason', async () => {
    const failed = [{ id: 'b', type: 'InvalidDocument', reason: 'no text' }];
    const { reported } = await runIngest(async () => ({ upserted: 1, deleted: 0, chunks: 1, failed }));
    expect(reported).toEqual([{ ids: ['b'], failures: failed }]);
  });

  it('when the batch fails for good, then all its documents are dead-lettered with the failure type, after no retry', async () => {
    let attempts = 0;
    const { result, reported } = await runIngest(async () => {
      attempts += 1;
      throw ApplicationFailure.create({
        type: 'DimensionMismatch',
        message: 'collection has 3 dims',
        nonRetryable: false,
      });
    });
    // DimensionMismatch is in the preset's non-retryable types, so one attempt only.
    expect(attempts).toBe(1);
    expect(result.failed.map((f) => f.type)).toEqual(['DimensionMismatch', 'DimensionMismatch']);
    expect(reported[0]!.ids).toEqual(['a', 'b']);
    expect(reported[0]!.failures[0]!.reason).toContain('collection has 3 dims');
  });

  it('when the activity fails transiently, then it is retried and the batch succeeds', async () => {
    let attempts = 0;
    const { result, reported } = await runIngest(async () => {
      attempts += 1;
      if (attempts < 3) throw ApplicationFailure.create({ type: 'QdrantUnavailable', message: 'down' });
      return { upserted: 2, deleted: 0, chunks: 2, failed: [] };
    });
    expect(attempts).toBe(3);
    expect(result.upserted).toBe(2);
    expect(reported).toEqual([]);
  });
});
