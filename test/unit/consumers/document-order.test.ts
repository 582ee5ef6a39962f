import { describe, expect, it } from 'vitest';
import { DocumentOrder } from '../../../consumers/document-order.ts';
import type { DocumentInput } from '../../../workflows/contracts.ts';

const doc = (id: string, collection?: string): DocumentInput => ({
  id,
  op: 'upsert',
  text: 't',
  version: 1,
  ...(collection ? { collection } : {}),
});

function orderWithCues() {
  const cues = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const asked: string[] = [];
  const order = new DocumentOrder((id) => {
    asked.push(id);
    return new Promise<void>((resolve, reject) => cues.set(id, { resolve, reject }));
  });
  return { order, cues, asked };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the order of operations on a document', () => {
  it('when a workflow touches a document, then later sub-batches of its partition with that document are blocked until it finishes', async () => {
    const { order, cues } = orderWithCues();
    order.noteStarted('docs:0', 'w1', [doc('a'), doc('b')]);
    expect(order.blockers('docs:0', [doc('c'), doc('b')])).toEqual(['w1']);
    expect(order.blockers('docs:0', [doc('c')])).toEqual([]);
    expect(order.blockers('docs:1', [doc('a')])).toEqual([]);
    cues.get('w1')!.resolve();
    await settle();
    expect(order.blockers('docs:0', [doc('a')])).toEqual([]);
  });

  it('when a workflow fails, then it no longer blocks either', async () => {
    const { order, cues } = orderWithCues();
    order.noteStarted('docs:0', 'w1', [doc('a')]);
    cues.get('w1')!.reject(new Error('terminated'));
    await settle();
    expect(order.blockers('docs:0', [doc('a')])).toEqual([]);
  });

  it('when one id is in two collections, then those are two documents', () => {
    const { order } = orderWithCues();
    order.noteStarted('docs:0', 'w1', [doc('a', 'papers')]);
    expect(order.blockers('docs:0', [doc('a')])).toEqual([]);
    expect(order.blockers('docs:0', [doc('a', 'papers')])).toEqual(['w1']);
  });

  it('when workflows are noted and some finish, then the partition’s running ones are listed, the latest first', async () => {
    const { order, cues } = orderWithCues();
    order.noteStarted('docs:0', 'w1', [doc('a')]);
    order.noteStarted('docs:0', 'w2', [doc('b')]);
    order.noteStarted('docs:1', 'x1', [doc('a')]);
    order.noteStarted('docs:0', 'w3', [doc('c')]);
    expect(order.running('docs:0')).toEqual(['w3', 'w2', 'w1']);
    cues.get('w2')!.resolve();
    await settle();
    expect(order.running('docs:0')).toEqual(['w3', 'w1']);
    expect(order.running('docs:1')).toEqual(['x1']);
    expect(order.running('docs:9')).toEqual([]);
  });

  it('when the same workflow is noted twice (found already started), then its end is awaited once', () => {
    const { order, asked } = orderWithCues();
    order.noteStarted('docs:0', 'w1', [doc('a')]);
    order.noteStarted('docs:0', 'w1', [doc('a')]);
    expect(asked).toEqual(['w1']);
  });

  it('when waiting for a turn, then it heartbeats meanwhile and resolves once every blocker finished', async () => {
    const { order, cues } = orderWithCues();
    order.noteStarted('docs:0', 'w1', [doc('a')]);
    order.noteStarted('docs:0', 'w2', [doc('b')]);
    let beats = 0;
    const turn = order.waitForTurn('docs:0', [doc('a'), doc('b')], {
      signal: new AbortController().signal,
      shouldContinue: () => true,
      heartbeat: () => Promise.resolve(void beats++),
      everyMs: 5,
    });
    await new Promise((r) => setTimeout(r, 30));
    cues.get('w1')!.resolve();
    await new Promise((r) => setTimeout(r, 20));
    expect(beats).toBeGreaterThan(0);
    cues.get('w2')!.resolve();
    expect(await turn).toBe(true);
  });

  it('when the partition is lost while waiting, then the wait ends with false', async () => {
    const { order } = orderWithCues();
    order.noteStarted('docs:0', 'w1', [doc('a')]);
    let running = true;
    const turn = order.waitForTurn('docs:0', [doc('a')], {
      signal: new AbortController().signal,
      shouldContinue: () => running,
      heartbeat: () => Promise.resolve(),
      everyMs: 5,
    });
    running = false;
    expect(await turn).toBe(false);
  });
});
