import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChunkWriter } from '../../../activities/chunk-writer.ts';
import type { ChunkPoint, StaleSelector } from '../../../src/qdrant/index.ts';

const point = (documentId: string, chunkIndex: number): ChunkPoint => ({
  documentId,
  chunkIndex,
  vector: new Float32Array([1, 0]),
  payload: { doc_id: documentId, chunk_index: chunkIndex, chunk_count: 2, text: 't', version: 1 },
});

/** A store that logs its calls; `gate` holds an upsert until released. */
function recordingStore(opts: { gate?: Promise<void>; failUpsert?: boolean } = {}) {
  const log: string[] = [];
  const store = {
    async upsertChunks(_c: string, points: readonly ChunkPoint[]) {
      log.push(`upsert ${points.map((p) => `${p.documentId}${p.chunkIndex}`).join(',')}`);
      if (opts.gate) await opts.gate;
      if (opts.failUpsert) throw new Error('qdrant down');
    },
    deleteStale(_c: string, docs: readonly StaleSelector[]) {
      log.push(`stale ${docs.map((d) => `${d.id}@${d.version}`).join(',')}`);
      return Promise.resolve();
    },
  };
  return { store, log };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the chunk writer', () => {
  it('when documents reach the point limit, then they are written in one upsert, then their stale chunks removed', async () => {
    const { store, log } = recordingStore();
    const writer = new ChunkWriter(store, 'c', { maxPoints: 3, maxWaitMs: 60_000 });
    writer.add({ id: 'a', version: 1 }, [point('a', 0), point('a', 1)]);
    expect(log).toEqual([]);
    writer.add({ id: 'b', version: 2 }, [point('b', 0)]);
    writer.add({ id: 'c', version: 3 }, [point('c', 0)]);
    await writer.close();
    expect(log).toEqual(['upsert a0,a1,b0', 'stale a@1,b@2', 'upsert c0', 'stale c@3']);
  });

  it('when too few points come, then the first waits at most the wait limit', async () => {
    vi.useFakeTimers();
    const { store, log } = recordingStore();
    const writer = new ChunkWriter(store, 'c', { maxPoints: 100, maxWaitMs: 1000 });
    writer.add({ id: 'a', version: 1 }, [point('a', 0)]);
    await vi.advanceTimersByTimeAsync(600);
    writer.add({ id: 'b', version: 1 }, [point('b', 0)]);
    await vi.advanceTimersByTimeAsync(399);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['upsert a0,b0', 'stale a@1,b@1']);
    writer.add({ id: 'c', version: 1 }, [point('c', 0)]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(log.slice(2)).toEqual(['upsert c0', 'stale c@1']);
    await writer.close();
    expect(log).toHaveLength(4);
  });

  it('when a write is still under way, then the next one waits for it', async () => {
    let release: () => void = () => undefined;
    const { store, log } = recordingStore({ gate: new Promise((r) => (release = r)) });
    const writer = new ChunkWriter(store, 'c', { maxPoints: 1, maxWaitMs: 60_000 });
    writer.add({ id: 'a', version: 1 }, [point('a', 0)]);
    writer.add({ id: 'b', version: 1 }, [point('b', 0)]);
    const closing = writer.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['upsert a0']);
    release();
    await closing;
    expect(log).toEqual(['upsert a0', 'stale a@1', 'upsert b0', 'stale b@1']);
  });

  it('when a write fails, then close() fails with it and nothing more is written', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { store, log } = recordingStore({ failUpsert: true });
      const writer = new ChunkWriter(store, 'c', { maxPoints: 1, maxWaitMs: 60_000 });
      writer.add({ id: 'a', version: 1 }, [point('a', 0)]);
      await new Promise((r) => setTimeout(r, 10));
      writer.add({ id: 'b', version: 1 }, [point('b', 0)]);
      await expect(writer.close()).rejects.toThrow('qdrant down');
      expect(log).toEqual(['upsert a0']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('when nothing was added, then closing writes nothing', async () => {
    const { store, log } = recordingStore();
    await new ChunkWriter(store, 'c').close();
    expect(log).toEqual([]);
  });
});
