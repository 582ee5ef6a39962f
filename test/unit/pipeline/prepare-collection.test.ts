import { describe, expect, it } from 'vitest';
import { DimensionMismatchError, prepareCollection, TransientStoreError } from '../../../src/qdrant/index.ts';

function storeThat(ensure: () => Promise<void>) {
  const asked: string[] = [];
  return {
    asked,
    ensureCollection(name: string) {
      asked.push(name);
      return ensure();
    },
  };
}

describe('preparing the default collection as a worker starts', () => {
  it('when Qdrant makes the collection ready, then the start goes on without a warning', async () => {
    const store = storeThat(() => Promise.resolve());
    const warnings: string[] = [];
    await prepareCollection(store, 'docs', { warn: (m) => warnings.push(m) });
    expect(store.asked).toEqual(['docs']);
    expect(warnings).toEqual([]);
  });

  it('when the collection does not fit the model, then the start fails with the reason', async () => {
    const mismatch = new DimensionMismatchError('Collection "docs" holds 768-dimensional Cosine vectors');
    const store = storeThat(() => Promise.reject(mismatch));
    await expect(prepareCollection(store, 'docs', { warn: () => undefined })).rejects.toBe(mismatch);
  });

  it('when Qdrant is out of reach, then the start goes on and says the first ingest tries again', async () => {
    const store = storeThat(() =>
      Promise.reject(new TransientStoreError('Qdrant collection_exists: fetch failed')),
    );
    const warnings: string[] = [];
    await prepareCollection(store, 'docs', { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      'could not make the collection "docs" ready (Qdrant collection_exists: fetch failed); the first ingest tries again',
    ]);
  });

  it('when Qdrant does not answer in time, then the start goes on, and a late failure is no unhandled rejection', async () => {
    let fail!: (err: Error) => void;
    const store = storeThat(() => new Promise<void>((_, reject) => (fail = reject)));
    const warnings: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      await prepareCollection(store, 'docs', { waitMs: 10, warn: (m) => warnings.push(m) });
      expect(warnings).toEqual([
        'Qdrant did not answer within 0.01 s: the collection "docs" is made ready by the first ingest',
      ]);
      fail(new TransientStoreError('Qdrant collection_exists: timed out'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
