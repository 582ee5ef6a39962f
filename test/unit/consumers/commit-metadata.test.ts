import { describe, expect, it } from 'vitest';
import {
  COMMIT_METADATA_MAX_BYTES,
  committedRunning,
  decodeRunning,
  encodeRunning,
} from '../../../consumers/commit-metadata.ts';

const id = (from: number, to: number, topic = 'docs', partition = 2) =>
  `ingest-${topic}-${partition}-${from}-${to}`;

describe('the running workflows named beside a committed offset', () => {
  it('when workflows are encoded, then decoding gives back their ids in the same order', () => {
    const ids = [id(40, 59), id(20, 39), id(0, 19)];
    const metadata = encodeRunning('docs', 2, ids);
    expect(metadata).toBe('{"running":["40-59","20-39","0-19"]}');
    expect(decodeRunning('docs', 2, metadata)).toEqual(ids);
  });

  it('when ids of another partition or topic are among them, then only the partition’s own are kept', () => {
    const metadata = encodeRunning('docs', 2, [
      id(5, 6),
      id(5, 6, 'docs', 1),
      id(5, 6, 'docs-2', 7),
      'search-abc',
    ]);
    expect(decodeRunning('docs', 2, metadata)).toEqual([id(5, 6)]);
  });

  it('when none is the partition’s, then there is no metadata', () => {
    expect(encodeRunning('docs', 2, [])).toBeNull();
    expect(encodeRunning('docs', 2, [id(1, 1, 'docs', 0)])).toBeNull();
  });

  it('when more run than fit, then the latest are kept within the broker’s limit and the oldest left out', () => {
    const ids = Array.from({ length: 500 }, (_, i) =>
      id(1_000_000 + 1000 * (500 - i), 1_000_000 + 1000 * (500 - i) + 999),
    );
    const metadata = encodeRunning('docs', 2, ids)!;
    expect(Buffer.byteLength(metadata)).toBeLessThanOrEqual(COMMIT_METADATA_MAX_BYTES);
    const kept = decodeRunning('docs', 2, metadata);
    expect(kept.length).toBeGreaterThan(50);
    expect(kept).toEqual(ids.slice(0, kept.length));
  });

  it('when the metadata is empty or was written by something else, then it names nothing', () => {
    for (const metadata of [null, undefined, '', 'reset by an operator', '{"running":"0-1"}', '[1]', 'null'])
      expect(decodeRunning('docs', 2, metadata)).toEqual([]);
    expect(decodeRunning('docs', 2, '{"running":["0-1","x","2-3-4",7]}')).toEqual([id(0, 1)]);
  });

  it('when the group’s committed offsets are read, then the partition’s metadata is decoded', async () => {
    const asked: unknown[] = [];
    const admin = {
      fetchOffsets: (options: { groupId: string; topics?: string[] }) => {
        asked.push(options);
        return Promise.resolve([
          {
            topic: 'docs',
            partitions: [
              { partition: 1, offset: '9', metadata: '{"running":["8-8"]}' },
              { partition: 2, offset: '7', metadata: '{"running":["3-6"]}' },
            ],
          },
        ]);
      },
    };
    expect(await committedRunning(admin, 'g', 'docs', 2)).toEqual([id(3, 6)]);
    expect(await committedRunning(admin, 'g', 'docs', 0)).toEqual([]);
    expect(asked[0]).toEqual({ groupId: 'g', topics: ['docs'] });
  });
});
