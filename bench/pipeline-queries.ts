import type { MessageProducer } from '../src/kafka/index.ts';
import { isSearchError } from '../src/messages/index.ts';
import type { TimedAnswer, TimedAnswers } from './pipeline-answers.ts';

/** One query, timed from just before its publish to the arrival of its answer. */
export interface QueryTiming {
  /** Publish to answer received, as the asker sees it (for a query never answered: the time waited, a lower bound). */
  e2eMs: number;
  /** No answer came within the answer timeout. */
  timedOut?: boolean;
  /** The answer's own tookMs: from the query message's timestamp to the answer being sent. */
  tookMs?: number;
  /** From the query's publish to the answer message's timestamp (Kafka clocks: whole milliseconds). */
  toAnswerPublishedMs?: number;
  /** From the answer message's timestamp to its arrival here. */
  answerDeliveryMs?: number;
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
  /** How long to wait for one answer before counting the query as unanswered and going on. */
  answerTimeoutMs?: number;
}

/** Unanswered queries one run tolerates: more means the pipeline is broken, not slow. */
const MAX_UNANSWERED = 5;

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
    const message = {
      key: requestId,
      value: JSON.stringify({ requestId, text: run.texts[i]!, topK: run.topK ?? 10 }),
      timestamp: String(sentAt),
    };
    const started = performance.now();
    await run.producer.send(run.topic, [message]);
    let answer: TimedAnswer;
    try {
      answer = await run.answers.waitFor(requestId, run.answerTimeoutMs ?? 30_000);
    } catch (err) {
      timings.push({ e2eMs: performance.now() - started, timedOut: true });
      if (timings.filter((t) => t.timedOut).length > MAX_UNANSWERED) throw err;
      continue;
    }
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
