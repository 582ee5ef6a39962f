import { ActivityFailure, ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { ANSWER_QUERY, PUBLISH_ANSWER } from './activity-options.ts';
import type { SearchAnswer, SearchInput } from './contracts.ts';

const { answerQuery } = proxyLocalActivities<Activities>(ANSWER_QUERY);
const { publishAnswer } = proxyLocalActivities<Activities>(PUBLISH_ANSWER);

function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * Answers one query. One local activity searches and, for a query that came through Kafka,
 * publishes the answer to the reply topic; should the search fail for good, the error is published
 * instead. The answer is returned too, for callers of the Temporal client.
 */
export async function searchQuery(input: SearchInput): Promise<SearchAnswer> {
  try {
    return await answerQuery(input);
  } catch (err) {
    if (input.replyTopic)
      await publishAnswer(input.replyTopic, { requestId: input.requestId, error: messageOf(err) });
    throw err;
  }
}
