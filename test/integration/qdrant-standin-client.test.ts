import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { removeDataDir, startQdrantStandin, type QdrantStandin } from '../helpers/qdrant-standin.ts';

// The project talks to Qdrant only through @qdrant/js-client-rest; these tests drive the stand-in
// the same way and check results against answers computed here from the data itself.

let standin: QdrantStandin;
let client: QdrantClient;

const DIM = 16;

/** Deterministic vectors so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

interface Doc {
  id: number;
  vector: number[];
  payload: {
    color: string;
    n: number;
    flag: boolean;
    tags: string[];
    maybe: number | null;
    title: string;
    offers: { shop: string; price: number }[];
  };
}

const COLORS = ['red', 'green', 'blue'];
const random = rng(42);
const DOCS: Doc[] = Array.from({ length: 90 }, (_, i) => ({
  id: i + 1,
  vector: Array.from({ length: DIM }, () => random()),
  payload: {
    color: COLORS[i % 3]!,
    n: i,
    flag: i % 2 === 0,
    tags: i % 5 === 0 ? [] : [`t${i % 4}`],
    maybe: i % 7 === 0 ? null : i,
    title: i % 4 === 0 ? `quick brown fox ${i}` : `lazy dog ${i}`,
    offers: [
      { shop: 'a', price: i % 10 },
      { shop: 'b', price: (i * 3) % 10 },
    ],
  },
}));

async function idsMatching(collection: string, filter: Record<string, unknown>): Promise<number[]> {
  const { points } = await client.scroll(collection, { filter, limit: 1000, with_payload: false });
  return points.map((p) => p.id as number).sort((a, b) => a - b);
}

function expectedIds(predicate: (d: Doc) => boolean): number[] {
  return DOCS.filter(predicate).map((d) => d.id);
}

async function newCollection(distance: 'Cosine' | 'Dot' = 'Cosine'): Promise<string> {
  const name = `client_${randomUUID().slice(0, 8)}`;
  await client.createCollection(name, { vectors: { size: DIM, distance } });
  return name;
}

beforeAll(async () => {
  standin = await startQdrantStandin();
  client = new QdrantClient({ url: standin.url, checkCompatibility: false });
});

afterAll(async () => {
  if (standin) {
    expect(await standin.stop()).toBe(0);
    removeDataDir(standin.dataDir);
  }
});

describe('qdrant stand-in through @qdrant/js-client-rest', () => {
  it('when a client connects with the version check on, then it prints no version warning (and does for a foreign version)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const checked = new QdrantClient({ url: standin.url });
      await checked.versionInfo();
      await checked.getCollections();
      await new Promise((r) => setTimeout(r, 100));
      expect(warn).not.toHaveBeenCalled();

      // The same check against a server claiming another version must warn, or the assertion above proves nothing.
      const foreign = http.createServer((_, res) =>
        res.end(JSON.stringify({ title: 'x', version: '0.9.0' })),
      );
      await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
      const { port } = foreign.address() as AddressInfo;
      new QdrantClient({ url: `http://127.0.0.1:${port}` });
      await vi.waitFor(() =>
        expect(warn).toHaveBeenCalledWith(expect.stringMatching(/incompatible with server version 0\.9\.0/)),
      );
      foreign.close();
    } finally {
      warn.mockRestore();
    }
  });

  describe('filters', () => {
    let collection: string;

    beforeAll(async () => {
      collection = await newCollection();
      await client.upsert(collection, { points: DOCS, wait: true });
      await client.createPayloadIndex(collection, { field_name: 'title', field_schema: 'text', wait: true });
    });

    const cases: [string, Record<string, unknown>, (d: Doc) => boolean][] = [
      [
        'match keyword',
        { must: [{ key: 'color', match: { value: 'red' } }] },
        (d) => d.payload.color === 'red',
      ],
      ['match integer', { must: [{ key: 'n', match: { value: 7 } }] }, (d) => d.payload.n === 7],
      ['match bool true', { must: [{ key: 'flag', match: { value: true } }] }, (d) => d.payload.flag],
      ['match bool false', { must: [{ key: 'flag', match: { value: false } }] }, (d) => !d.payload.flag],
      [
        'match any',
        { must: [{ key: 'color', match: { any: ['red', 'blue'] } }] },
        (d) => d.payload.color !== 'green',
      ],
      [
        'match except',
        { must: [{ key: 'n', match: { except: [1, 2, 3] } }] },
        (d) => ![1, 2, 3].includes(d.payload.n),
      ],
      [
        'match on array values',
        { must: [{ key: 'tags', match: { value: 't1' } }] },
        (d) => d.payload.tags.includes('t1'),
      ],
      [
        'full-text match',
        { must: [{ key: 'title', match: { text: 'fox' } }] },
        (d) => d.payload.title.includes('fox'),
      ],
      [
        'range',
        { must: [{ key: 'n', range: { gte: 10, lt: 20 } }] },
        (d) => d.payload.n >= 10 && d.payload.n < 20,
      ],
      ['is_empty', { must: [{ is_empty: { key: 'tags' } }] }, (d) => d.payload.tags.length === 0],
      ['is_null', { must: [{ is_null: { key: 'maybe' } }] }, (d) => d.payload.maybe === null],
      ['has_id', { must: [{ has_id: [3, 5, 1000] }] }, (d) => d.id === 3 || d.id === 5],
      [
        'must_not',
        { must_not: [{ key: 'color', match: { value: 'red' } }] },
        (d) => d.payload.color !== 'red',
      ],
      [
        'should',
        {
          should: [
            { key: 'n', match: { value: 1 } },
            { key: 'n', match: { value: 2 } },
          ],
        },
        (d) => d.payload.n === 1 || d.payload.n === 2,
      ],
      [
        'min_should',
        {
          min_should: {
            conditions: [
              { key: 'color', match: { value: 'red' } },
              { key: 'flag', match: { value: true } },
              { key: 'n', range: { lt: 30 } },
            ],
            min_count: 2,
          },
        },
        (d) => [d.payload.color === 'red', d.payload.flag, d.payload.n < 30].filter(Boolean).length >= 2,
      ],
      [
        'nested filter clauses',
        {
          must: [
            {
              should: [
                { key: 'color', match: { value: 'blue' } },
                { key: 'n', range: { gt: 80 } },
              ],
            },
          ],
          must_not: [{ key: 'flag', match: { value: true } }],
        },
        (d) => (d.payload.color === 'blue' || d.payload.n > 80) && !d.payload.flag,
      ],
      [
        'nested object condition',
        {
          must: [
            {
              nested: {
                key: 'offers',
                filter: {
                  must: [
                    { key: 'shop', match: { value: 'b' } },
                    { key: 'price', range: { lte: 1 } },
                  ],
                },
              },
            },
          ],
        },
        (d) => d.payload.offers.some((o) => o.shop === 'b' && o.price <= 1),
      ],
    ];

    for (const [label, filter, predicate] of cases) {
      it(`when filtering by ${label}, then exactly the matching points come back and are counted`, async () => {
        const expected = expectedIds(predicate);
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.length).toBeLessThan(DOCS.length);
        expect(await idsMatching(collection, filter)).toEqual(expected);
        expect(await client.count(collection, { filter })).toEqual({ count: expected.length });
      });
    }
  });

  it('when the same ids are upserted again, then the count stays and the latest payload wins', async () => {
    const collection = await newCollection();
    const points = DOCS.slice(0, 20);
    await client.upsert(collection, { points, wait: true });
    await client.upsert(collection, {
      points: points.map((p) => ({ ...p, payload: { ...p.payload, color: 'changed' } })),
      wait: true,
    });
    expect(await client.count(collection, {})).toEqual({ count: 20 });
    const records = await client.retrieve(collection, { ids: [1, 20] });
    expect(records.map((r) => r.payload?.['color'])).toEqual(['changed', 'changed']);
  });

  it('when upserting with update_filter, then only matching existing points change and new points are inserted', async () => {
    const collection = await newCollection();
    const point = (id: number, version: number) => ({ id, vector: DOCS[id]!.vector, payload: { version } });
    await client.upsert(collection, { points: [point(1, 5), point(2, 1)], wait: true });
    // An older version must not overwrite a newer one; a newer one replaces an older one.
    await client.upsert(collection, {
      points: [point(1, 3), point(2, 4), point(3, 1)],
      update_filter: { must: [{ key: 'version', range: { lte: 3 } }] },
      wait: true,
    });
    const records = await client.retrieve(collection, { ids: [1, 2, 3] });
    expect(records.map((r) => [r.id, r.payload?.['version']])).toEqual([
      [1, 5],
      [2, 4],
      [3, 1],
    ]);
  });

  it('when points are deleted by filter, then exactly the matching ones are gone', async () => {
    const collection = await newCollection();
    await client.upsert(collection, { points: DOCS, wait: true });
    const result = await client.delete(collection, {
      filter: { must: [{ key: 'color', match: { value: 'green' } }] },
      wait: true,
    });
    expect(result.status).toBe('completed');
    expect(await idsMatching(collection, {})).toEqual(expectedIds((d) => d.payload.color !== 'green'));
  });

  it('when scrolling page by page, then every point comes exactly once in id order', async () => {
    const collection = await newCollection();
    await client.upsert(collection, { points: DOCS, wait: true });
    const seen: number[] = [];
    let offset: number | string | null | undefined = undefined;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<QdrantClient['scroll']>> = await client.scroll(collection, {
        limit: 7,
        offset: offset ?? undefined,
      });
      seen.push(...page.points.map((p) => p.id as number));
      offset = page.next_page_offset as number | null | undefined;
      pages++;
    } while (offset !== null && offset !== undefined);
    expect(pages).toBe(Math.ceil(DOCS.length / 7));
    expect(seen).toEqual(DOCS.map((d) => d.id));
  });

  it('when querying with a filter, then the hits and their order match a brute-force cosine search', async () => {
    const collection = await newCollection('Cosine');
    await client.upsert(collection, { points: DOCS, wait: true });
    const query = Array.from({ length: DIM }, () => random());
    const filter = { must: [{ key: 'color', match: { value: 'blue' } }] };
    const expected = DOCS.filter((d) => d.payload.color === 'blue')
      .map((d) => ({ id: d.id, score: cosine(query, d.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);

    const { points } = await client.query(collection, { query, filter, limit: 10 });
    expect(points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
    points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 5));

    const paged = await client.query(collection, { query, filter, limit: 3, offset: 2 });
    expect(paged.points.map((p) => p.id)).toEqual(expected.slice(2, 5).map((e) => e.id));
    // Midway between the 5th and 6th score: the server computes in f32, this test in f64.
    const threshold = (expected[4]!.score + expected[5]!.score) / 2;
    const above = await client.query(collection, { query, filter, limit: 50, score_threshold: threshold });
    expect(above.points.map((p) => p.id)).toEqual(expected.slice(0, 5).map((e) => e.id));
  });

  it('when asking for payload fields and vectors, then only those come back, with cosine vectors normalized', async () => {
    const collection = await newCollection('Cosine');
    const id = randomUUID();
    await client.upsert(collection, {
      points: [{ id, vector: DOCS[0]!.vector, payload: { a: 1, b: 2 } }],
      wait: true,
    });
    const { points } = await client.query(collection, {
      query: DOCS[0]!.vector,
      with_payload: ['a'],
      with_vector: true,
    });
    expect(points).toHaveLength(1);
    expect(points[0]!.id).toBe(id);
    expect(points[0]!.payload).toEqual({ a: 1 });
    const vector = points[0]!.vector as number[];
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(cosine(vector, DOCS[0]!.vector)).toBeCloseTo(1, 5);
  });

  it('when a wrong-dimension upsert goes through the client, then it throws the 400 error of the server', async () => {
    const collection = await newCollection();
    await expect(
      client.upsert(collection, { points: [{ id: 1, vector: [1, 2, 3] }], wait: true }),
    ).rejects.toMatchObject({
      status: 400,
      data: { status: { error: `Wrong input: Vector dimension error: expected dim: ${DIM}, got 3` } },
    });
  });

  it('when a batch of queries is sent, then each answer equals the single query', async () => {
    const collection = await newCollection();
    await client.upsert(collection, { points: DOCS, wait: true });
    const searches = [0, 1, 2].map((i) => ({
      query: DOCS[i]!.vector,
      limit: 5,
      filter: { must: [{ key: 'flag', match: { value: i % 2 === 0 } }] },
    }));
    const batch = await client.queryBatch(collection, { searches });
    const singles = await Promise.all(searches.map((s) => client.query(collection, s)));
    expect(batch).toEqual(singles);
  });
});
