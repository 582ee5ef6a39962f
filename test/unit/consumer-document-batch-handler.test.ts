import { describe, expect, it } from 'vitest';
import { DocumentBatchHandler, type DocumentBatchDeps } from '../../consumers/document-batch-handler.ts';
import { DocumentOrder } from '../../consumers/document-order.ts';
import type { WorkflowStarter, WorkflowStartRequest } from '../../consumers/workflow-start.ts';
import { silentLogger } from '../../src/kafka/logger.ts';
import type { IngestBatchInput } from '../../workflows/contracts.ts';
import { documents, fakePayload, message } from './consumers/kafka-fakes.ts';

/** A starter that logs into the same event list as the payload, so the order can be checked. */
function recordingStarter(events: string[], outcome: 'started' | 'already_started' = 'started') {
  const requests: WorkflowStartRequest[] = [];
  const starter: WorkflowStarter = {
    start(request) {
      requests.push(request);
      events.push(`start ${request.workflowId}`);
      return Promise.resolve(outcome);
    },
  };
  return { starter, requests };
}

function handler(events: string[], overrides: Partial<DocumentBatchDeps> = {}) {
  const letters: string[] = [];
  const deps: DocumentBatchDeps = {
    starter: recordingStarter(events).starter,
    deadLetters: {
      deadLetterMessage: (m, origin, reason) => {
        letters.push(`${origin.topic}/${origin.partition}@${m.offset} ${reason.type}`);
        events.push(`dlq ${m.offset}`);
        return Promise.resolve();
      },
    },
    admit: () => Promise.resolve(true),
    limits: { maxDocs: 2, maxBytes: 512 * 1024, maxWaitMs: 500 },
    taskQueue: 'ingest-q',
    groupId: 'g',
    logger: silentLogger,
    signal: new AbortController().signal,
    // Long after the messages' timestamps: the tail of a batch may go.
    now: () => 10_000_000,
    ...overrides,
  };
  const h = new DocumentBatchHandler(deps);
  h.noteGroupJoined(9_000_000);
  return { h, letters };
}

describe('document batch handler', () => {
  it('when a batch is handed off, then each sub-batch is started before its last offset is resolved, heartbeated and committed', async () => {
    const { payload, events } = fakePayload(documents(5));
    const { requests, starter } = recordingStarter(events);
    await handler(events, { starter }).h.handle(payload);
    expect(events).toEqual([
      'start ingest-docs-0-0-1',
      'resolve 1',
      'heartbeat',
      'commit',
      'start ingest-docs-0-2-3',
      'resolve 3',
      'heartbeat',
      'commit',
      'start ingest-docs-0-4-4',
      'resolve 4',
      'heartbeat',
      'commit',
    ]);
    const input = requests[0]!.args[0] as IngestBatchInput;
    expect(requests[0]).toMatchObject({ workflowType: 'ingestBatch', taskQueue: 'ingest-q' });
    expect(input.source).toEqual({ topic: 'docs', partition: 0, fromOffset: '0', toOffset: '1' });
    expect(input.documents.map((d) => d.id)).toEqual(['d0', 'd1']);
  });

  it('when Temporal says the workflow was already started, then the hand-off counts as done', async () => {
    const { payload, events } = fakePayload(documents(2));
    await handler(events, { starter: recordingStarter(events, 'already_started').starter }).h.handle(payload);
    expect(events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
  });

  it('when invalid messages are in a sub-batch, then they are dead-lettered before the start and resolved with it', async () => {
    const msgs = [
      message(0, { id: 'a', text: 't' }),
      message(1, 'garbage', { key: 'g' }),
      message(2, { id: 'b', text: 't' }),
    ];
    const { payload, events } = fakePayload(msgs);
    const { h, letters } = handler(events);
    await h.handle(payload);
    expect(events).toEqual(['dlq 1', 'start ingest-docs-0-0-2', 'resolve 2', 'heartbeat', 'commit']);
    expect(letters).toEqual(['docs/0@1 MalformedJson']);
  });

  it('when a batch holds only invalid messages, then each is dead-lettered and resolved without a workflow', async () => {
    const { payload, events } = fakePayload([
      message(0, '{}', { key: null }),
      message(1, 'x', { key: null }),
    ]);
    await handler(events).h.handle(payload);
    expect(events).toEqual([
      'dlq 0',
      'resolve 0',
      'heartbeat',
      'commit',
      'dlq 1',
      'resolve 1',
      'heartbeat',
      'commit',
    ]);
  });

  it('when the backlog is full, then the partition is paused and nothing more is started or resolved', async () => {
    const { payload, events, state } = fakePayload(documents(4));
    let admitted = 0;
    const admit: DocumentBatchDeps['admit'] = (pause) => {
      if (admitted++ < 1) return Promise.resolve(true);
      pause();
      return Promise.resolve(false);
    };
    await handler(events, { admit }).h.handle(payload);
    expect(events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit', 'pause']);
    expect(state.paused).toBe(true);
  });

  /** Workflows that finish when the test says so, recorded in the event list. */
  function finishOnCue(events: string[]) {
    const cues = new Map<string, () => void>();
    const order = new DocumentOrder(
      (id) =>
        new Promise<void>((resolve) =>
          cues.set(id, () => {
            events.push(`finished ${id}`);
            resolve();
          }),
        ),
    );
    return { order, finish: (id: string) => cues.get(id)!() };
  }

  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('when a sub-batch shares a document with an earlier one still running, then it starts once that one finished', async () => {
    const messages = [...documents(2), message(2, { id: 'd0', op: 'delete' }), ...documents(1, 3)];
    const { payload, events } = fakePayload(messages);
    const { order, finish } = finishOnCue(events);
    const handling = handler(events, { order }).h.handle(payload);
    await tick();
    expect(events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
    finish('ingest-docs-0-0-1');
    await handling;
    expect(events.slice(4)).toEqual([
      'finished ingest-docs-0-0-1',
      'start ingest-docs-0-2-3',
      'resolve 3',
      'heartbeat',
      'commit',
    ]);
  });

  it('when sub-batches share no document, then none waits for another', async () => {
    const { payload, events } = fakePayload(documents(4));
    await handler(events, { order: finishOnCue(events).order }).h.handle(payload);
    expect(events.filter((e) => e.startsWith('start'))).toEqual([
      'start ingest-docs-0-0-1',
      'start ingest-docs-0-2-3',
    ]);
  });

  it('when the consumer stops while a sub-batch waits for its turn, then it is handed back unresolved', async () => {
    const messages = [...documents(2), message(2, { id: 'd1', text: 'again' })];
    const { payload, events } = fakePayload(messages);
    const stop = new AbortController();
    const handling = handler(events, { order: finishOnCue(events).order, signal: stop.signal }).h.handle(
      payload,
    );
    await tick();
    stop.abort();
    await handling;
    expect(events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
  });

  it('when a partition comes after a group join, then its running ingest workflows are looked up once and waited for like its own', async () => {
    const { order, finish } = finishOnCue([]);
    const asked: string[] = [];
    const runningIngests = (topic: string, partition: number) => {
      asked.push(`${topic}:${partition}`);
      return Promise.resolve([
        { workflowId: 'earlier-owner', documents: [{ id: 'd1', op: 'upsert' as const, version: 1 }] },
      ]);
    };
    const first = fakePayload(documents(2));
    const h = handler(first.events, { order, runningIngests }).h;
    const handling = h.handle(first.payload);
    await tick();
    expect(first.events).toEqual([]);
    finish('earlier-owner');
    await handling;
    expect(first.events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);

    await h.handle(fakePayload(documents(2, 2)).payload);
    expect(asked).toEqual(['docs:0']);
    h.noteGroupJoined(9_500_000);
    await h.handle(fakePayload(documents(2, 4)).payload);
    expect(asked).toEqual(['docs:0', 'docs:0']);
  });

  it('when the group is joined, then the assigned partitions’ running ingest workflows are looked up before their first batch', async () => {
    const { order, finish } = finishOnCue([]);
    const asked: string[] = [];
    let answer!: () => void;
    const runningIngests = (topic: string, partition: number) => {
      asked.push(`${topic}:${partition}`);
      const running = [
        { workflowId: `earlier-${partition}`, documents: [{ id: 'd1', op: 'upsert' as const, version: 1 }] },
      ];
      return partition === 0
        ? new Promise<typeof running>((r) => (answer = () => r(running)))
        : Promise.resolve(running);
    };
    const first = fakePayload(documents(2));
    const h = handler(first.events, { order, runningIngests }).h;
    h.noteGroupJoined(9_500_000, { docs: [0, 2] });
    await tick();
    expect(asked).toEqual(['docs:0', 'docs:2']);

    // The first batch waits for the look-up in flight instead of asking again, then for its answer.
    const handling = h.handle(first.payload);
    await tick();
    expect(first.events).toEqual([]);
    answer();
    await tick();
    expect(first.events).toEqual([]);
    finish('earlier-0');
    await handling;
    expect(first.events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
    expect(asked).toEqual(['docs:0', 'docs:2']);
  });

  it('when sub-batches are committed, then each commit names the partition’s workflows still running, the latest first', async () => {
    const { order, finish } = finishOnCue([]);
    const first = fakePayload(documents(5), { partition: 3 });
    const h = handler(first.events, { order }).h;
    await h.handle(first.payload);
    expect(first.commits).toEqual([
      { partition: 3, offset: '2', metadata: '{"running":["0-1"]}' },
      { partition: 3, offset: '4', metadata: '{"running":["2-3","0-1"]}' },
      { partition: 3, offset: '5', metadata: '{"running":["4-4","2-3","0-1"]}' },
    ]);
    finish('ingest-docs-3-0-1');
    await tick();
    const next = fakePayload(documents(1, 5), { partition: 3 });
    await h.handle(next.payload);
    expect(next.commits).toEqual([
      { partition: 3, offset: '6', metadata: '{"running":["5-5","4-4","2-3"]}' },
    ]);
  });

  it('when nothing runs any more at a commit, then the commit names no workflow', async () => {
    const { payload, commits } = fakePayload([message(0, 'garbage', { key: 'g' })]);
    await handler([], { order: new DocumentOrder(() => Promise.resolve()) }).h.handle(payload);
    expect(commits).toEqual([{ partition: 0, offset: '1', metadata: null }]);
  });

  it('when the running ingest workflows cannot be listed, then the batch goes on and the next one asks again', async () => {
    const { order } = finishOnCue([]);
    let calls = 0;
    const runningIngests = () =>
      calls++ === 0 ? Promise.reject(new Error('visibility down')) : Promise.resolve([]);
    const first = fakePayload(documents(2));
    const h = handler(first.events, { order, runningIngests }).h;
    await h.handle(first.payload);
    expect(first.events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
    await h.handle(fakePayload(documents(2, 2)).payload);
    expect(calls).toBe(2);
  });

  it('when the consumer stops between sub-batches, then the rest is handed back unresolved', async () => {
    const { payload, events, state } = fakePayload(documents(4));
    const starter: WorkflowStarter = {
      start(request) {
        events.push(`start ${request.workflowId}`);
        state.running = false;
        return Promise.resolve('started');
      },
    };
    await handler(events, { starter }).h.handle(payload);
    expect(events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
  });

  it('when starting fails and the consumer stops meanwhile, then the offsets stay unresolved', async () => {
    const { payload, events, state } = fakePayload(documents(2));
    const abort = new AbortController();
    const starter: WorkflowStarter = {
      start() {
        events.push('start failed');
        state.running = false;
        abort.abort();
        return Promise.reject(new Error('Temporal unavailable'));
      },
    };
    await handler(events, { starter, signal: abort.signal }).h.handle(payload);
    expect(events).toEqual(['start failed']);
  });

  it('when starting fails for a while, then it is retried with heartbeats until Temporal acknowledges', async () => {
    const { payload, events } = fakePayload(documents(2));
    let attempts = 0;
    const starter: WorkflowStarter = {
      start() {
        attempts += 1;
        events.push(`attempt ${attempts}`);
        return attempts < 3 ? Promise.reject(new Error('UNAVAILABLE')) : Promise.resolve('started');
      },
    };
    const { h } = handler(events, { starter });
    // The real backoff starts at 500 ms; the test keeps it but stays short with two failures.
    await h.handle(payload);
    expect(events).toEqual([
      'attempt 1',
      'heartbeat',
      'attempt 2',
      'heartbeat',
      'attempt 3',
      'resolve 1',
      'heartbeat',
      'commit',
    ]);
  });

  it('when the partition is revoked mid-batch (stale), then the handler stops before the next sub-batch', async () => {
    const { payload, events, state } = fakePayload(documents(4));
    const starter: WorkflowStarter = {
      start(request) {
        events.push(`start ${request.workflowId}`);
        state.stale = true;
        return Promise.resolve('started');
      },
    };
    await handler(events, { starter }).h.handle(payload);
    expect(events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
  });

  it('when the tail is young and the log holds nothing more, then it is held unresolved', async () => {
    const { payload, events } = fakePayload(documents(3, 0, 10_000_000));
    const { h } = handler(events, { now: () => 10_000_100, signal: AbortSignal.abort() });
    await h.handle(payload);
    expect(events).toEqual(['start ingest-docs-0-0-1', 'resolve 1', 'heartbeat', 'commit']);
  });
});
