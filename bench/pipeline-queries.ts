import type { MessageProducer } from '../src/kafka/index.ts';
import { isSearchError } from '../src/messages/index.ts';
import type { TimedAnswers } from './pipeline-answers.ts';

/** One query, timed from just before its publish to the arrival of its answer. */
export interface QueryTiming {
  /** Publish to answer received, as the asker sees it. */
  e2eMs: number;
  /** The answer's own tookMs: from the query message's timestamp to the answer being ready to publish. */
  tookMs?: number;
  /** From the query's publish to the answer message's timestamp (Kafka clocks: whole milliseconds). */
  toAnswerPublishedMs: number;
  /** From the answer message's timestamp to its arrival here. */
  answerDeliveryMs: number;
  error?: string;
}

export interface QueryRun {
  producer: MessageProducer;
  answers: TimedAnswers;
  topic: string;
  /** Request ids are `<prefix>-<n>`: unique per phase, so no answer of another phase is taken. */
  prefix: string;
  texts: readonly string[];
  topK?: number;
  /** Checked before each query; the run ends when it says no (or the texts run out). */
  keepGoing?: () => boolean;
  /** How long one answer may take before the run fails. */
  answerTimeoutMs?: number;
}

/**
 * Sends queries one after another through Kafka, each once the previous one was answered, so every
 * timing is one query's own latency and never its wait behind the ones before it.
 */
export async function timeQueries(run: QueryRun): Promise<QueryTiming[]> {
  const timings: QueryTiming[] = [];
  for (let i = 0; i < run.texts.length; i++) {
    if (run.keepGoing && !run.keepGoing()) break;
    const requestId = `${run.prefix}-${i}`;
    const sentAt = Date.now();
    const message = { key: requestId, value: JSON.stringify({ requestId, text: run.texts[i]!, topK: run.topK ?? 10 }), timestamp: String(sentAt) };
    const started = performance.now();
    await run.producer.send(run.topic, [message]);
    const answer = await run.answers.waitFor(requestId, run.answerTimeoutMs ?? 30_000);
    const timing: QueryTiming = {
      e2eMs: performance.now() - started,
      toAnswerPublishedMs: answer.publishedAt - sentAt,
      answerDeliveryMs: answer.receivedAt - answer.publishedAt,
    };
    if (isSearchError(answer.result)) timing.error = answer.result.error;
    else timing.tookMs = answer.result.tookMs;
    timings.push(timing);
  }
  return timings;
}
