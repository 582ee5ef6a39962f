import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED_SPEC_PATH, QdrantResponseSchemas, SHARED_SPEC_PATH } from '../helpers/qdrant-openapi.ts';
import { removeDataDir, startQdrantStandin, type QdrantStandin } from '../helpers/qdrant-standin.ts';

// Every answer of the stand-in is checked against the Qdrant 1.19.0 OpenAPI response schema of
// the operation it answers, so the project's code meets the same shapes as with the real server.

let standin: QdrantStandin;
const schemas = new QdrantResponseSchemas();

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

type Body = Record<string, unknown> | string;

async function call(
  method: string,
  template: string,
  params: Record<string, string | number> = {},
  body?: Body,
  query = '',
): Promise<Answer> {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const res = await fetch(`${standin.url}${path}${query}`, init);
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  const answer = {
    status: res.status,
    contentType,
    text,
    json: contentType.startsWith('application/json') ? (JSON.parse(text) as unknown) : undefined,
  };
  if (res.status !== 404 || text !== '') {
    expect(
      schemas.errors(method, template, res.status, answer.json ?? text),
      `${method} ${template} → ${res.status}: ${text}`,
    ).toEqual([]);
  }
  return answer;
}

function ok(answer: Answer): unknown {
  expect(answer.status, answer.text).toBe(200);
  const envelope = answer.json as { result: unknown; status: string; time: number };
  expect(envelope.status).toBe('ok');
  expect(typeof envelope.time).toBe('number');
  expect(envelope.result).toBeDefined();
  return envelope.result;
}

function error(answer: Answer, status: number): string {
  expect(answer.status, answer.text).toBe(status);
  const body = answer.json as { status: { error: string }; time: number };
  expect(typeof body.time).toBe('number');
  return body.status.error;
}

const C = '/collections/{collection_name}';
const name = () => `conf_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  standin = await startQdrantStandin();
});

afterAll(async () => {
  if (standin) {
    expect(await standin.stop()).toBe(0);
    removeDataDir(standin.dataDir);
  }
});

describe('qdrant stand-in contract', () => {
  it.skipIf(!existsSync(SHARED_SPEC_PATH))(
    'when the team copy of the spec is present, then the committed copy has the same content',
    () => {
      const read = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));
      expect(read(COMMITTED_SPEC_PATH)).toEqual(read(SHARED_SPEC_PATH));
    },
  );
});

describe('qdrant stand-in service endpoints', () => {
  it('when GET /, then it answers version 1.19.0 without an envelope', async () => {
    const answer = await call('GET', '/');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      title: 'qdrant - vector search engine (stand-in on Qdrant Edge)',
      version: '1.19.0',
    });
  });

  it('when probing health, then /healthz, /livez and /readyz answer in plain text like the server', async () => {
    for (const [template, text] of [
      ['/healthz', 'healthz check passed'],
      ['/livez', 'healthz check passed'],
      ['/readyz', 'all shards are ready'],
    ] as const) {
      const answer = await call('GET', template);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^text\/plain/);
      expect(answer.text).toBe(text);
    }
  });

  it('when a client sends pipelined requests on one connection, then every answer is framed by Content-Length', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(standin.port, '127.0.0.1');
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        data += chunk;
        if ((data.match(/healthz check passed/g) ?? []).length === 3) {
          socket.end();
          resolve(data);
        }
      });
      socket.on('error', reject);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
    });
    expect(raw.match(/HTTP\/1\.1 200 OK\r\n/g)).toHaveLength(3);
    expect(raw.match(/Content-Length: 20\r\n/gi)).toHaveLength(3);
  });
});

describe('qdrant stand-in collections API', () => {
  it('when a collection is created, listed, described and deleted, then each answer conforms', async () => {
    const n = name();
    expect(
      ok(await call('PUT', C, { collection_name: n }, { vectors: { size: 4, distance: 'Cosine' } })),
    ).toBe(true);
    expect(ok(await call('GET', `${C}/exists`, { collection_name: n }))).toEqual({ exists: true });
    const list = ok(await call('GET', '/collections')) as { collections: { name: string }[] };
    expect(list.collections.map((c) => c.name)).toContain(n);

    const info = ok(await call('GET', C, { collection_name: n })) as Record<string, unknown>;
    expect(info).toMatchObject({
      status: 'green',
      optimizer_status: 'ok',
      points_count: 0,
      payload_schema: {},
    });
    expect((info['config'] as { params: unknown }).params).toMatchObject({
      vectors: { size: 4, distance: 'Cosine' },
      shard_number: 1,
    });

    expect(ok(await call('DELETE', C, { collection_name: n }))).toBe(true);
    expect(ok(await call('DELETE', C, { collection_name: n }))).toBe(false);
    expect(ok(await call('GET', `${C}/exists`, { collection_name: n }))).toEqual({ exists: false });
  });

  it('when a collection is created twice, then the second create answers 409 with the server text', async () => {
    const n = name();
    ok(await call('PUT', C, { collection_name: n }, { vectors: { size: 4, distance: 'Dot' } }));
    const message = error(
      await call('PUT', C, { collection_name: n }, { vectors: { size: 4, distance: 'Dot' } }),
      409,
    );
    expect(message).toBe(`Wrong input: Collection \`${n}\` already exists!`);
  });

  it('when a collection is missing, then every collection-scoped operation answers 404 with the server text', async () => {
    const n = name();
    const expected = `Not found: Collection \`${n}\` doesn't exist!`;
    const cases: [string, string, Body | undefined][] = [
      ['GET', C, undefined],
      ['PUT', `${C}/points`, { points: [{ id: 1, vector: [1, 0, 0, 0] }] }],
      ['POST', `${C}/points`, { ids: [1] }],
      ['POST', `${C}/points/scroll`, {}],
      ['POST', `${C}/points/count`, {}],
      ['POST', `${C}/points/query`, { query: [1, 0, 0, 0] }],
      ['POST', `${C}/points/delete`, { points: [1] }],
      ['PUT', `${C}/index`, { field_name: 'a', field_schema: 'keyword' }],
    ];
    for (const [method, template, body] of cases) {
      expect(error(await call(method, template, { collection_name: n }, body), 404)).toBe(expected);
    }
  });

  it('when a create body is malformed or out of range, then it answers 400 or 422 as the server does', async () => {
    const n = name();
    expect(error(await call('PUT', C, { collection_name: n }, '{"vectors": '), 400)).toMatch(
      /^Format error in JSON body: /,
    );
    expect(
      error(await call('PUT', C, { collection_name: n }, { vectors: { size: 4, distance: 'Cosinus' } }), 400),
    ).toMatch(/^Format error in JSON body: /);
    expect(
      error(await call('PUT', C, { collection_name: n }, { vectors: { size: 0, distance: 'Cosine' } }), 422),
    ).toBe('Validation error in JSON body: [vectors.size: value 0 invalid, must be 1 or larger]');
    expect(ok(await call('GET', `${C}/exists`, { collection_name: n }))).toEqual({ exists: false });
  });

  it('when a payload index is created and deleted, then payload_schema shows it and then drops it', async () => {
    const n = name();
    ok(await call('PUT', C, { collection_name: n }, { vectors: { size: 2, distance: 'Dot' } }));
    ok(
      await call(
        'PUT',
        `${C}/points`,
        { collection_name: n },
        { points: [{ id: 1, vector: [1, 0], payload: { city: 'Berlin', n: 3 } }] },
        '?wait=true',
      ),
    );
    expect(
      ok(
        await call(
          'PUT',
          `${C}/index`,
          { collection_name: n },
          { field_name: 'city', field_schema: 'keyword' },
          '?wait=true',
        ),
      ),
    ).toMatchObject({
      status: 'completed',
    });
    ok(
      await call(
        'PUT',
        `${C}/index`,
        { collection_name: n },
        { field_name: 'n', field_schema: { type: 'integer', lookup: true, range: true } },
      ),
    );
    const info = ok(await call('GET', C, { collection_name: n })) as {
      payload_schema: Record<string, unknown>;
    };
    expect(info.payload_schema).toEqual({
      city: { data_type: 'keyword', points: 1 },
      n: { data_type: 'integer', params: { type: 'integer', lookup: true, range: true }, points: 1 },
    });
    ok(
      await call(
        'DELETE',
        `${C}/index/{field_name}`,
        { collection_name: n, field_name: 'city' },
        undefined,
        '?wait=true',
      ),
    );
    const after = ok(await call('GET', C, { collection_name: n })) as {
      payload_schema: Record<string, unknown>;
    };
    expect(Object.keys(after.payload_schema)).toEqual(['n']);
  });

  it('when a collection has named, multi and sparse vectors, then its info and queries over each conform', async () => {
    const n = name();
    const create = {
      vectors: {
        dense: { size: 3, distance: 'Euclid', on_disk: true },
        multi: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
      },
      sparse_vectors: { words: { modifier: 'idf' } },
      hnsw_config: { m: 8 },
      quantization_config: { scalar: { type: 'int8', quantile: 0.99 } },
      metadata: { owner: 'tests' },
    };
    ok(await call('PUT', C, { collection_name: n }, create));
    const info = ok(await call('GET', C, { collection_name: n })) as { config: Record<string, unknown> };
    expect(info.config).toMatchObject({
      params: { vectors: create.vectors, sparse_vectors: create.sparse_vectors },
      hnsw_config: { m: 8, ef_construct: 100 },
      quantization_config: create.quantization_config,
      metadata: create.metadata,
    });
    const points = [1, 2, 3].map((i) => ({
      id: i,
      vector: {
        dense: [i, 0, 1],
        multi: [
          [1, i],
          [0, 1],
        ],
        words: { indices: [i, 10], values: [1, 0.5] },
      },
      payload: { n: i },
    }));
    ok(await call('PUT', `${C}/points`, { collection_name: n }, { points }, '?wait=true'));
    ok(
      await call(
        'PUT',
        `${C}/index`,
        { collection_name: n },
        { field_name: 'n', field_schema: 'integer' },
        '?wait=true',
      ),
    );
    const queries = [
      { query: [1, 0, 1], using: 'dense', with_vector: ['dense'] },
      { query: { indices: [2], values: [1] }, using: 'words', with_vector: true },
      {
        query: [
          [1, 2],
          [0, 1],
        ],
        using: 'multi',
      },
      {
        prefetch: [
          { query: [1, 0, 1], using: 'dense' },
          { query: { indices: [3], values: [1] }, using: 'words' },
        ],
        query: { fusion: 'rrf' },
      },
      { query: { recommend: { positive: [1], negative: [3] } }, using: 'dense' },
      { query: { order_by: { key: 'n', direction: 'desc' } } },
    ];
    for (const q of queries) {
      const result = ok(await call('POST', `${C}/points/query`, { collection_name: n }, q)) as {
        points: unknown[];
      };
      expect(result.points.length, JSON.stringify(q)).toBeGreaterThan(0);
    }
  });

  it('when a collection name has a character the server refuses, then it answers 422', async () => {
    const message = error(
      await call('PUT', C, { collection_name: 'a*b' }, { vectors: { size: 2, distance: 'Dot' } }),
      422,
    );
    expect(message).toMatch(/^Validation error in path parameters: /);
  });
});

describe('qdrant stand-in points API', () => {
  let n: string;
  const uuid = '550e8400-e29b-41d4-a716-446655440000';

  beforeAll(async () => {
    n = name();
    ok(await call('PUT', C, { collection_name: n }, { vectors: { size: 4, distance: 'Dot' } }));
    const upsert = ok(
      await call(
        'PUT',
        `${C}/points`,
        { collection_name: n },
        {
          points: [
            { id: 1, vector: [1, 0, 0, 0], payload: { city: 'Berlin', rank: 1 } },
            { id: 2, vector: [0, 1, 0, 0], payload: { city: 'London', rank: 2 } },
            { id: uuid, vector: [0, 0, 1, 0], payload: { city: 'Paris', rank: 3 } },
          ],
        },
        '?wait=true',
      ),
    );
    expect(upsert).toMatchObject({ status: 'completed' });
  });

  it('when upserting in the column (batch) form without wait, then the points are stored and the answer says acknowledged', async () => {
    const result = ok(
      await call(
        'PUT',
        `${C}/points`,
        { collection_name: n },
        {
          batch: {
            ids: [10, 11],
            vectors: [
              [1, 1, 0, 0],
              [0, 1, 1, 0],
            ],
            payloads: [{ city: 'Rome' }, null],
          },
        },
      ),
    ) as { status: string; operation_id: number };
    expect(result.status).toBe('acknowledged');
    expect(Number.isInteger(result.operation_id)).toBe(true);
    const records = ok(await call('POST', `${C}/points`, { collection_name: n }, { ids: [10, 11] })) as {
      id: number;
      payload: unknown;
    }[];
    expect(records).toEqual([
      { id: 10, payload: { city: 'Rome' } },
      { id: 11, payload: {} },
    ]);
    ok(await call('POST', `${C}/points/delete`, { collection_name: n }, { points: [10, 11] }, '?wait=true'));
  });

  it('when a vector has the wrong dimension, then it answers 400 with the engine text', async () => {
    const message = error(
      await call('PUT', `${C}/points`, { collection_name: n }, { points: [{ id: 5, vector: [1, 0, 0] }] }),
      400,
    );
    expect(message).toBe('Wrong input: Vector dimension error: expected dim: 4, got 3');
    const query = error(
      await call('POST', `${C}/points/query`, { collection_name: n }, { query: [1, 0] }),
      400,
    );
    expect(query).toBe('Wrong input: Vector dimension error: expected dim: 4, got 2');
  });

  it('when retrieving points, then payload comes by default, vectors on request, and missing ids are skipped', async () => {
    const plain = ok(await call('POST', `${C}/points`, { collection_name: n }, { ids: [1, uuid, 999] }));
    expect(plain).toEqual([
      { id: 1, payload: { city: 'Berlin', rank: 1 } },
      { id: uuid, payload: { city: 'Paris', rank: 3 } },
    ]);
    const withVector = ok(
      await call(
        'POST',
        `${C}/points`,
        { collection_name: n },
        { ids: [2], with_payload: false, with_vector: true },
      ),
    );
    expect(withVector).toEqual([{ id: 2, vector: [0, 1, 0, 0] }]);
  });

  it('when getting one point, then it comes with payload and vector, and a missing or malformed id is refused', async () => {
    const point = ok(await call('GET', `${C}/points/{id}`, { collection_name: n, id: uuid }));
    expect(point).toEqual({ id: uuid, payload: { city: 'Paris', rank: 3 }, vector: [0, 0, 1, 0] });
    expect(error(await call('GET', `${C}/points/{id}`, { collection_name: n, id: 77 }), 404)).toBe(
      'Not found: Point with id 77 does not exists!',
    );
    expect(error(await call('GET', `${C}/points/{id}`, { collection_name: n, id: 'nope' }), 400)).toBe(
      'Wrong input: Can not recognize "nope" as point id',
    );
  });

  it('when scrolling and counting, then the answers conform and agree', async () => {
    const page = ok(
      await call('POST', `${C}/points/scroll`, { collection_name: n }, { limit: 2, with_payload: ['city'] }),
    ) as {
      points: { id: number | string; payload: unknown }[];
      next_page_offset: number | string | null;
    };
    expect(page.points).toEqual([
      { id: 1, payload: { city: 'Berlin' } },
      { id: 2, payload: { city: 'London' } },
    ]);
    expect(page.next_page_offset).toBe(uuid);
    const count = ok(
      await call(
        'POST',
        `${C}/points/count`,
        { collection_name: n },
        { filter: { must: [{ key: 'rank', range: { gte: 2 } }] } },
      ),
    );
    expect(count).toEqual({ count: 2 });
  });

  it('when querying, then scored points conform with and without payload and vector', async () => {
    const bare = ok(
      await call('POST', `${C}/points/query`, { collection_name: n }, { query: [1, 0.5, 0, 0], limit: 2 }),
    ) as { points: unknown[] };
    expect(bare.points).toEqual([
      { id: 1, version: expect.any(Number) as number, score: 1 },
      { id: 2, version: expect.any(Number) as number, score: 0.5 },
    ]);
    const full = ok(
      await call(
        'POST',
        `${C}/points/query`,
        { collection_name: n },
        {
          query: { nearest: [0, 0, 1, 0] },
          limit: 1,
          with_payload: { exclude: ['rank'] },
          with_vector: true,
        },
      ),
    );
    expect(full).toEqual({
      points: [
        {
          id: uuid,
          version: expect.any(Number) as number,
          score: 1,
          payload: { city: 'Paris' },
          vector: [0, 0, 1, 0],
        },
      ],
    });
    const mmr = ok(
      await call(
        'POST',
        `${C}/points/query`,
        { collection_name: n },
        { query: { nearest: [1, 1, 1, 0], mmr: { diversity: 0.5, candidates_limit: 3 } }, limit: 2 },
      ),
    ) as { points: { id: unknown; vector?: unknown }[] };
    expect(mmr.points).toHaveLength(2);
    expect(mmr.points.every((p) => p.vector === undefined)).toBe(true);
  });

  it('when querying by point id, then that point is used as the vector and left out of the results', async () => {
    const result = ok(
      await call('POST', `${C}/points/query`, { collection_name: n }, { query: 1, limit: 3 }),
    ) as { points: { id: unknown }[] };
    expect(result.points.map((p) => p.id)).not.toContain(1);
    expect(error(await call('POST', `${C}/points/query`, { collection_name: n }, { query: 4242 }), 404)).toBe(
      'Not found: No point with id 4242 found',
    );
  });

  it('when running a query batch, then each result matches the single query', async () => {
    const searches = [
      { query: [1, 0, 0, 0], limit: 1 },
      { query: [0, 1, 0, 0], limit: 2, with_payload: true },
    ];
    const batch = ok(
      await call('POST', `${C}/points/query/batch`, { collection_name: n }, { searches }),
    ) as unknown[];
    const singles = await Promise.all(
      searches.map(async (s) => ok(await call('POST', `${C}/points/query`, { collection_name: n }, s))),
    );
    expect(batch).toEqual(singles);
  });

  it('when a query breaks a value constraint, then it answers 422 with the validation text', async () => {
    const message = error(
      await call('POST', `${C}/points/query`, { collection_name: n }, { query: [1, 0, 0, 0], limit: 0 }),
      422,
    );
    expect(message).toBe('Validation error in JSON body: [limit: value 0 invalid, must be 1 or larger]');
    const nested = error(
      await call('POST', `${C}/points/query/batch`, { collection_name: n }, { searches: [{ limit: 0 }] }),
      422,
    );
    expect(nested).toBe(
      'Validation error in JSON body: [searches[0].limit: value 0 invalid, must be 1 or larger]',
    );
  });

  it('when a body has the wrong types or unknown filter keys, then it answers 400 format errors', async () => {
    expect(
      error(await call('POST', `${C}/points/scroll`, { collection_name: n }, { limit: 'ten' }), 400),
    ).toMatch(/^Format error in JSON body: /);
    expect(
      error(await call('POST', `${C}/points/count`, { collection_name: n }, { filter: { muss: [] } }), 400),
    ).toMatch(/unknown field `muss`/);
    expect(error(await call('POST', `${C}/points`, { collection_name: n }, { ids: [-1] }), 400)).toMatch(
      /^Format error in JSON body: /,
    );
    expect(error(await call('POST', `${C}/points/count`, { collection_name: n }, ''), 400)).toMatch(
      /^Format error in JSON body: /,
    );
  });

  it('when deleting by id and by filter, then the answers conform and the points are gone', async () => {
    const m = name();
    ok(await call('PUT', C, { collection_name: m }, { vectors: { size: 2, distance: 'Dot' } }));
    const points = [1, 2, 3, 4].map((id) => ({ id, vector: [id, 1], payload: { even: id % 2 === 0 } }));
    ok(await call('PUT', `${C}/points`, { collection_name: m }, { points }, '?wait=true'));
    ok(await call('POST', `${C}/points/delete`, { collection_name: m }, { points: [1] }, '?wait=true'));
    ok(
      await call(
        'POST',
        `${C}/points/delete`,
        { collection_name: m },
        { filter: { must: [{ key: 'even', match: { value: true } }] } },
        '?wait=true',
      ),
    );
    const left = ok(await call('POST', `${C}/points/scroll`, { collection_name: m }, {})) as {
      points: { id: number }[];
    };
    expect(left.points.map((p) => p.id)).toEqual([3]);
  });

  it('when calling an operation of the spec the stand-in lacks, then it answers 501 naming it, and unknown paths 404', async () => {
    const message = error(
      await call('GET', '/collections/{collection_name}/aliases', { collection_name: n }),
      501,
    );
    expect(message).toMatch(
      /^Not implemented by the Qdrant stand-in: GET \/collections\/\{collection_name\}\/aliases/,
    );
    const unknown = await fetch(`${standin.url}/no/such/path`);
    expect(unknown.status).toBe(404);
  });
});
