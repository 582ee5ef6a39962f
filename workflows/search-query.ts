import { ActivityFailure, ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { PUBLISH_ANSWER, SEARCH } from './activity-options.ts';
import type { SearchAnswer, SearchInput } from './contracts.ts';

const { searchDocuments } = proxyLocalActivities<Activities>(SEARCH);
const { publishAnswer } = proxyLocalActivities<Activities>(PUBLISH_ANSWER);

function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * Answers one query: search, then (for queries that came through Kafka) publish the answer — or
 * the error — to the reply topic. The answer is returned too, for callers of the Temporal client.
 */
export async function searchQuery(input: SearchInput): Promise<SearchAnswer> {
  const started = Date.now();
  try {
    const hits = await searchDocuments(input);
    const answer: SearchAnswer = {
      requestId: input.requestId,
      hits,
      tookMs: Date.now() - (input.receivedAt ?? started),
    };
    if (input.replyTopic) await publishAnswer(input.replyTopic, answer);
    return answer;
  } catch (err) {
    if (input.replyTopic)
      await publishAnswer(input.replyTopic, { requestId: input.requestId, error: messageOf(err) });
    throw err;
  }
}
