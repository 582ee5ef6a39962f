import { describe, expect, it } from 'vitest';
import {
  BatchScheduler,
  NonFiniteVectorError,
  type BatchInfo,
  type WorkItem,
} from '../../../src/embedding/batch-scheduler.ts';
import { FixedBudget } from '../../../src/embedding/budget-controller.ts';
import type { PaddedBatch } from '../../../src/embedding/inference-backend.ts';
import { EmbedderClosedError } from '../../../src/embedding/errors.ts';
import { DIM, FakeBackend, flush } from './fakes.ts';

const POISON_ID = 9000;

function item(ids: number[]): WorkItem & { result: Promise<Float32Array> } {
  let resolve!: (v: Float32Array) => void;
  let reject!: (e: Error) => void;
  const result = new Promise<Float32Array>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  result.catch(() => undefined);
  return { ids, tokens: ids.length, enqueuedAt: performance.now(), resolve, reject, result };
}

const row = (len: number, fill = 1000) => [101, ...Array.from({ length: len - 2 }, () => fill), 102];

function scheduler(
  backend: FakeBackend,
  budget: number,
  infos: BatchInfo[] = [],
  sessions = 1,
): BatchScheduler {
  return new BatchScheduler({
    lane: 'bulk',
    run: Array.from({ length: sessions }, () => (b: PaddedBatch) => backend.run(b)),
    dimension: DIM,
    policy: { kind: 'token-budget' },
    controller: new FixedBudget(budget),
    onBatch: (i) => infos.push(i),
  });
}

describe('BatchScheduler', () => {
  it('when texts are queued, then batches run longest first within the budget and each text gets its own row', async () => {
    const backend = new FakeBackend();
    const s = scheduler(backend, 32);
    const items = [4, 16, 5, 15, 3].map((n) => item(row(n)));
    s.submit(items);
    const vectors = await Promise.all(items.map((i) => i.result));
    expect(backend.batches.map((b) => b.map((r) => r.length))).toEqual([
      [16, 15],
      [5, 4, 3],
    ]);
    expect(vectors.map((v) => v[0])).toEqual([4, 16, 5, 15, 3]);
  });

  it('when one text makes its batch fail, then the batch is split and only that text is rejected', async () => {
    const backend = new FakeBackend();
    const infos: BatchInfo[] = [];
    const s = scheduler(backend, 1000, infos);
    const items = [row(5), row(6), [101, POISON_ID, 102], row(4), row(7)].map(item);
    s.submit(items);
    const settled = await Promise.allSettled(items.map((i) => i.result));
    expect(settled.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(infos.filter((i) => !i.ok).length).toBeGreaterThanOrEqual(2);
    expect(infos.filter((i) => i.ok).reduce((a, i) => a + i.texts, 0)).toBe(4);
    expect(s.counters.failedTexts).toBe(1);
  });

  it('when the model returns NaN for one row, then only that text is rejected', async () => {
    const backend = new FakeBackend();
    const s = scheduler(backend, 1000);
    const items = [row(5), [101, 9001, 102], row(4)].map(item);
    s.submit(items);
    const settled = await Promise.allSettled(items.map((i) => i.result));
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(NonFiniteVectorError);
  });

  it('when short texts keep arriving during a round, then the texts of the running round go first', async () => {
    const backend = new FakeBackend();
    backend.hold();
    const s = scheduler(backend, 20);
    const first = [row(10), row(10), row(10), row(10)].map(item);
    s.submit(first);
    await flush();
    const late = [row(3), row(3)].map(item);
    s.submit(late);
    backend.release();
    await Promise.all([...first, ...late].map((i) => i.result));
    // Round 1 is the four 10-token texts (two batches); the short newcomers wait for round 2.
    expect(backend.batches.map((b) => b.map((r) => r.length))).toEqual([
      [10, 10],
      [10, 10],
      [3, 3],
    ]);
  });

  /** Three one-text batches for a scheduler that may run two at once, on a held backend: two start, one waits. */
  async function twoOfThreeRunning() {
    const backend = new FakeBackend();
    backend.hold();
    const s = scheduler(backend, 10, [], 2);
    const items = [row(10), row(10), row(10)].map(item);
    s.submit(items);
    await flush();
    return { backend, s, items };
  }

  it('when two batches may run at once, then two run side by side and the next waits for one to end', async () => {
    const { backend, s, items } = await twoOfThreeRunning();
    expect(backend.batches.length).toBe(2);
    expect(s.queueDepth).toBe(1);
    backend.release();
    await Promise.all(items.map((i) => i.result));
    expect(backend.batches.length).toBe(3);
  });

  it('when closed with two batches running, then the texts of both and the queued ones are rejected as closed', async () => {
    const { backend, s, items } = await twoOfThreeRunning();
    s.close();
    backend.release();
    for (const r of await Promise.allSettled(items.map((i) => i.result)))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(EmbedderClosedError);
  });

  it('when closed, then running and queued texts are rejected as closed and new ones are refused', async () => {
    const backend = new FakeBackend();
    backend.hold();
    const s = scheduler(backend, 10);
    const items = [row(10), row(10), row(10)].map(item);
    s.submit(items);
    await flush();
    s.close();
    backend.release();
    const settled = await Promise.allSettled(items.map((i) => i.result));
    for (const r of settled) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(EmbedderClosedError);
    }
    const late = item(row(3));
    s.submit([late]);
    await expect(late.result).rejects.toBeInstanceOf(EmbedderClosedError);
  });

  it('when a batch runs, then its report has real and padded tokens, the budget and the lane', async () => {
    const backend = new FakeBackend();
    const infos: BatchInfo[] = [];
    const s = scheduler(backend, 100, infos);
    const items = [row(8), row(4)].map(item);
    s.submit(items);
    await Promise.all(items.map((i) => i.result));
    expect(infos).toEqual([
      expect.objectContaining({
        lane: 'bulk',
        texts: 2,
        realTokens: 12,
        paddedTokens: 16,
        budget: 100,
        ok: true,
      }),
    ]);
    expect(s.counters).toMatchObject({ batches: 1, texts: 2, realTokens: 12, paddedTokens: 16 });
  });

  it('when the policy is a fixed count, then batches keep arrival order', async () => {
    const backend = new FakeBackend();
    const s = new BatchScheduler({
      lane: 'bulk',
      run: (b) => backend.run(b),
      dimension: DIM,
      policy: { kind: 'fixed-count', size: 2 },
      controller: new FixedBudget(1),
    });
    const items = [3, 9, 4, 8, 5].map((n) => item(row(n)));
    s.submit(items);
    await Promise.all(items.map((i) => i.result));
    expect(backend.batches.map((b) => b.map((r) => r.length))).toEqual([[3, 9], [4, 8], [5]]);
  });
});
