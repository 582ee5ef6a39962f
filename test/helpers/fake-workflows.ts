// Stand-ins for the pipeline's workflows, for consumer tests that need Temporal to run what the
// consumers start, without the embedding engine or Qdrant. Same names and inputs as the real ones.
import { proxyActivities } from '@temporalio/workflow';
import type { IngestBatchInput, SearchAnswer, SearchInput } from '../../workflows/contracts.ts';
import type { FakeActivities } from './fake-activities.ts';

const { publishFakeAnswer } = proxyActivities<FakeActivities>({ startToCloseTimeout: '10 seconds' });

/** Returns what it was given: the test reads the documents back from the workflow's result. */
export function ingestBatch(input: IngestBatchInput): Promise<IngestBatchInput> {
  return Promise.resolve(input);
}

/** Answers with one hit that echoes the input, published to the reply topic like the real one. */
export async function searchQuery(input: SearchInput): Promise<SearchAnswer> {
  const answer: SearchAnswer = {
    requestId: input.requestId,
    hits: [{ id: `hit-for-${input.requestId}`, score: 1, metadata: { input } }],
    tookMs: 1,
  };
  if (input.replyTopic) await publishFakeAnswer(input.replyTopic, answer);
  return answer;
}
