import { describe, expect, it } from 'vitest';
import { QueryBatchHandler, type QueryBatchDeps } from '../../consumers/query-batch-handler.ts';
import type { WorkflowStartRequest } from '../../consumers/workflow-start.ts';
import { silentLogger } from '../../src/kafka/logger.ts';
import type { SearchInput } from '../../workflows/contracts.ts';
import { fakePayload, message } from './consumers/kafka-fakes.ts';

function setup(events: string[], extra: Partial<QueryBatchDeps> = {}) {
  const requests: WorkflowStartRequest[] = [];
  const answers: { topic: string; key: string; value: string }[] = [];
  const deps: QueryBatchDeps = {
    starter: {
      start(request) {
        requests.push(request);
        events.push(`start ${request.workflowId}`);
        return Promise.resolve('started');
      },
    },
    producer: {
      send(topic, messages) {
        for (const m of messages) answers.push({ topic, key: String(m.key), value: String(m.value) });
        events.push('answer');
        return Promise.resolve([]);
      },
    },
    deadLetters: {
      deadLetterMessage(m, _origin, reason) {
        events.push(`dlq ${m.offset} ${reason.type}`);
        return Promise.resolve();
      },
    },
    taskQueue: 'search-q',
    replyTopic: 'results',
    defaultTopK: 10,
    groupId: 'g',
    logger: silentLogger,
    signal: new AbortController().signal,
    ...extra,
  };
  return { handler: new QueryBatchHandler(deps), requests, answers };
}

describe('query batch handler', () => {
  it('when queries arrive, then one search workflow per query starts on the search queue with its reply topic and publish time', async () => {
    const msgs = [
      message(0, { requestId: 'r1', text: 'rivers' }, { key: 'r1', timestamp: 1234 }),
      message(
        1,
        { _id: 'PLAIN-2', text: 'lakes', topK: 3, filter: { must: [] }, mmr: true },
        { key: 'PLAIN-2', timestamp: 1235 },
      ),
    ];
    const { payload, events } = fakePayload(msgs, { topic: 'queries' });
    const { handler, requests } = setup(events);
    await handler.handle(payload);
    // Workflow ids name the query message (topic, partition, offset), not the reusable request id.
    expect(events).toEqual([
      'start search-queries-0-0',
      'start search-queries-0-1',
      'resolve 1',
      'heartbeat',
      'commit',
    ]);
    expect(requests.map((r) => [r.workflowType, r.taskQueue])).toEqual([
      ['searchQuery', 'search-q'],
      ['searchQuery', 'search-q'],
    ]);
    expect(requests[0]!.args[0]).toEqual({
      requestId: 'r1',
      text: 'rivers',
      topK: 10,
      replyTopic: 'results',
      receivedAt: 1234,
    } satisfies SearchInput);
    expect(requests[1]!.args[0]).toMatchObject({
      requestId: 'PLAIN-2',
      topK: 3,
      filter: { must: [] },
      mmr: true,
      receivedAt: 1235,
    });
  });

  it('when valid queries arrive beside the engine, then each text starts embedding before its workflow start goes out', async () => {
    const msgs = [
      message(0, { requestId: 'r1', text: 'rivers' }, { key: 'r1' }),
      message(1, { requestId: 'r2', text: '   ' }, { key: 'r2' }),
    ];
    const { payload, events } = fakePayload(msgs, { topic: 'queries' });
    const { handler } = setup(events, { warmQuery: (text) => events.push(`warm ${text}`) });
    await handler.handle(payload);
    expect(events.filter((e) => e.startsWith('warm') || e.startsWith('start'))).toEqual([
      'warm rivers',
      'start search-queries-0-0',
    ]);
  });

  it('when a query is invalid but names its requestId, then the asker is answered with the reason instead', async () => {
    const { payload, events } = fakePayload([message(0, { requestId: 'r1', text: '' }, { key: 'r1' })]);
    const { handler, answers } = setup(events);
    await handler.handle(payload);
    expect(events).toEqual(['answer', 'resolve 0', 'heartbeat', 'commit']);
    expect(answers).toEqual([
      {
        topic: 'results',
        key: 'r1',
        value: JSON.stringify({ requestId: 'r1', error: 'invalid query: text: must not be blank' }),
      },
    ]);
  });

  it('when a query has no requestId, then it is dead-lettered', async () => {
    const { payload, events } = fakePayload([message(0, 'what?', { key: null })]);
    await setup(events).handler.handle(payload);
    expect(events).toEqual(['dlq 0 MalformedJson', 'resolve 0', 'heartbeat', 'commit']);
  });

  it('when the consumer stops before a batch is taken up, then nothing is started or resolved', async () => {
    const { payload, events, state } = fakePayload([
      message(0, { requestId: 'r1', text: 'x' }, { key: 'r1' }),
    ]);
    state.running = false;
    await setup(events).handler.handle(payload);
    expect(events).toEqual([]);
  });
});
