import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../src/eval/bounded-concurrency.ts';
import { documentBatches } from '../../src/eval/document-batches.ts';
import type { DocumentInput } from '../../workflows/contracts.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('forEachBounded', () => {
  it('when many items are processed, then no more than the limit run at once and all of them run', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(n % 3 === 0 ? 15 : 5);
      running--;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('when the items are an async stream, then they are pulled only as slots free up', async () => {
    let pulled = 0;
    let started = 0;
    async function* items() {
      for (let i = 0; i < 10; i++) {
        await sleep(0);
        pulled++;
        yield i;
      }
    }
    await forEachBounded(items(), 2, async () => {
      started++;
      // At most the two running items (and the one waiting for a slot) have been read.
      expect(pulled).toBeLessThanOrEqual(started + 1);
      await sleep(2);
    });
    expect(pulled).toBe(10);
  });

  it('when one call fails, then no new item starts, the running ones finish, and that failure is thrown', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
      await sleep(10);
      finished.push(n);
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([1]);
  });

  it('when the limit is not a positive integer, then it is refused', async () => {
    await expect(forEachBounded([1], 0, () => Promise.resolve())).rejects.toThrow(RangeError);
  });
});

function doc(id: string, chars: number): DocumentInput {
  return { id, op: 'upsert', text: 'x'.repeat(chars), version: 1 };
}

async function collect(docs: DocumentInput[], maxDocs: number, maxBytes: number): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of documentBatches(docs, { maxDocs, maxBytes })) out.push(batch.map((d) => d.id));
  return out;
}

describe('documentBatches', () => {
  it('when documents are small, then batches hold at most maxDocs, in order', async () => {
    const docs = ['a', 'b', 'c', 'd', 'e'].map((id) => doc(id, 10));
    expect(await collect(docs, 2, 1_000_000)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('when documents are large, then a batch closes before it would pass maxBytes', async () => {
    const size = Buffer.byteLength(JSON.stringify(doc('a', 400)));
    const docs = ['a', 'b', 'c'].map((id) => doc(id, 400));
    expect(await collect(docs, 64, 2 * size + 10)).toEqual([['a', 'b'], ['c']]);
  });

  it('when one document alone is larger than maxBytes, then it travels alone rather than being dropped', async () => {
    const docs = [doc('small', 10), doc('huge', 5_000), doc('next', 10)];
    expect(await collect(docs, 64, 1_000)).toEqual([['small'], ['huge'], ['next']]);
  });
});
