import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import {
  createEmbedder,
  EmbedderClosedError,
  EmptyTextError,
  TextEmbeddingError,
  type Embedder,
  type EmbedderOptions,
} from '../../../src/embedding/index.ts';
import type { InferenceWorkerData } from '../../../src/embedding/inference-protocol.ts';
import { FakeBackend, FakeTokenizer, flush, NAN_TEXT, POISON } from './fakes.ts';

// One bulk session on two threads unless a test asks for more, so every bulk batch lands on one fake.
const config = loadConfig({ EMBED_BULK_SESSIONS: '1', EMBED_THREADS: '2' });
let embedder: Embedder | undefined;

/** An embedder on fakes: `bulk` and `query` are the sessions of the two lanes (the same one when shared). */
async function make(opts: EmbedderOptions = {}, cfg = config) {
  const tokenizer = new FakeTokenizer();
  const sessions: FakeBackend[] = [];
  const specs: (InferenceWorkerData & { name: string })[] = [];
  embedder = await createEmbedder(cfg, {
    files: { modelPath: 'unused.onnx', tokenizerPath: 'unused.json' },
    tokenizer,
    startInference: (spec) => {
      const b = new FakeBackend();
      sessions.push(b);
      specs.push(spec);
      return Promise.resolve(b);
    },
    ...opts,
  });
  return { embedder, tokenizer, sessions, specs, bulk: sessions[0]!, query: sessions[1] ?? sessions[0]! };
}

afterEach(async () => {
  await embedder?.close();
  embedder = undefined;
});

describe('embedder', () => {
  it('when texts are embedded, then each gets the vector of its own tokens, in order', async () => {
    const { embedder } = await make();
    const [a, b] = await embedder.embedDocuments(['one two three', 'four']);
    expect(Array.from(a!)).toEqual([5, 101 + 1003 + 1003 + 1005 + 102, 1003, 1]);
    expect(Array.from(b!)).toEqual([3, 101 + 1004 + 102, 1004, 1]);
    expect(embedder.dimension).toBe(4);
  });

  it('when equal texts are submitted together or again later, then the model sees them once', async () => {
    const { embedder, bulk } = await make();
    const [x, y] = await Promise.all([
      embedder.embedDocuments(['same text', 'other']),
      embedder.embedDocuments(['  same   text ']),
    ]);
    const again = await embedder.embedDocuments(['same text']);
    expect(bulk.batches.flat().length).toBe(2);
    expect(Array.from(y[0]!)).toEqual(Array.from(x[0]!));
    expect(Array.from(again[0]!)).toEqual(Array.from(x[0]!));
    expect(embedder.stats().dedupHits).toBe(2);
  });

  it('when a cached vector is changed by a caller, then later callers still get the original', async () => {
    const { embedder } = await make();
    await embedder.embedDocuments(['cached']);
    const first = await embedder.embedDocuments(['cached']);
    first[0]!.fill(0);
    const second = await embedder.embedDocuments(['cached']);
    expect(second[0]![0]).toBe(3);
  });

  it('when a text is empty or whitespace only, then it is a typed validation error and nothing is embedded', async () => {
    const { embedder, bulk } = await make();
    await expect(embedder.embedDocuments(['fine', ' \n\t '])).rejects.toMatchObject({
      name: 'EmptyTextError',
      index: 1,
    });
    await expect(embedder.embedQuery('')).rejects.toBeInstanceOf(EmptyTextError);
    expect(bulk.batches.length).toBe(0);
  });

  it('when one text fails inside a batch, then the others still get vectors and it gets a typed error with its index', async () => {
    const { embedder } = await make();
    const outcomes = await embedder.embedDocumentsSettled([
      'alpha',
      `bad ${POISON} text`,
      'gamma',
      '',
      NAN_TEXT,
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false, false]);
    const errors = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
    expect(errors[0]).toBeInstanceOf(TextEmbeddingError);
    expect(errors[0]).toMatchObject({ index: 1, retryable: false });
    expect(errors[1]).toMatchObject({ name: 'EmptyTextError', index: 3 });
    expect(errors[2]).toMatchObject({ name: 'TextEmbeddingError', index: 4 });
    for (const o of outcomes) if (o.ok) expect(o.vector.every(Number.isFinite)).toBe(true);
    await expect(embedder.embedDocuments(['alpha', POISON])).rejects.toMatchObject({ index: 1 });
  });

  it('when texts are embedded one promise each, then each settles on its own and none rejects', async () => {
    const { embedder, bulk } = await make();
    bulk.hold();
    const settled: string[] = [];
    const each = embedder.embedDocumentsEach(['alpha', '', `bad ${POISON} text`]);
    each.forEach((p, i) => void p.then((o) => settled.push(`${i} ${o.ok ? 'ok' : o.error.name}`)));
    await flush();
    expect(settled).toEqual(['1 EmptyTextError']);
    bulk.release();
    await Promise.all(each);
    expect(settled.slice(1).sort()).toEqual(['0 ok', '2 TextEmbeddingError']);
  });

  it('when queries repeat, then the query cache answers and the bulk session is not used', async () => {
    const { embedder, bulk, query } = await make({ queryLane: 'dedicated' });
    const a = await embedder.embedQuery('what is a statin');
    const b = await embedder.embedQuery('what is  a statin');
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(query.batches.length).toBe(1);
    expect(bulk.batches.length).toBe(0);
    expect(embedder.stats()).toMatchObject({ queryCacheHits: 1, queryBatches: 1 });
  });

  it('when the bulk session is busy and the lane is dedicated, then a query is answered without waiting', async () => {
    const { embedder, bulk } = await make({ queryLane: 'dedicated' });
    bulk.hold();
    const docs = embedder.embedDocuments(['a long bulk text', 'another one']);
    await flush();
    const q = await embedder.embedQuery('quick question');
    expect(q[0]).toBe(4);
    bulk.release();
    await docs;
  });

  it('when the lane is shared, then a query runs before bulk batches still queued', async () => {
    const { embedder, bulk, query } = await make({ queryLane: 'shared', fixedBudget: 6 });
    expect(query).toBe(bulk);
    bulk.hold();
    const docs = embedder.embedDocuments(['w w w w', 'x x x x', 'y y y y']);
    await flush();
    const q = embedder.embedQuery('query');
    await flush();
    bulk.release();
    await Promise.all([docs, q]);
    expect(bulk.batches.map((b) => b.length)).toEqual([1, 1, 1, 1]);
    expect(bulk.batches[1]![0]).toEqual([101, 1005, 102]);
  });

  it('when there are two bulk sessions, then they share the threads and run batches side by side', async () => {
    const { embedder, sessions, specs } = await make({
      bulkSessions: 2,
      queryLane: 'dedicated',
      fixedBudget: 4,
    });
    expect(specs.map((s) => [s.name, s.intraOpThreads])).toEqual([
      ['embed-bulk', 1],
      ['embed-bulk-2', 1],
      ['embed-query', 1],
    ]);
    const [first, second, query] = sessions as [FakeBackend, FakeBackend, FakeBackend];
    first.hold();
    second.hold();
    const docs = embedder.embedDocuments(['a a', 'b b', 'c c']);
    await flush();
    // One batch (two tokens and the frame: one text per budget of 4) on each session, the third waits.
    expect([first.batches.length, second.batches.length]).toEqual([1, 1]);
    first.release();
    second.release();
    const vectors = await docs;
    expect(vectors.map((v) => v[0])).toEqual([4, 4, 4]);
    expect(first.batches.length + second.batches.length).toBe(3);
    expect(query.batches.length).toBe(0);
  });

  it('when the sessions are left at their default, then there are two, or one per thread if fewer, and the threads are shared out evenly', async () => {
    const bulkThreads = async (env: Record<string, string>) => {
      const { specs } = await make({ queryLane: 'shared' }, loadConfig(env));
      await embedder?.close();
      return specs.map((s) => s.intraOpThreads);
    };
    expect(await bulkThreads({})).toHaveLength(Math.min(2, os.availableParallelism()));
    expect(await bulkThreads({ EMBED_THREADS: '2' })).toEqual([1, 1]);
    expect(await bulkThreads({ EMBED_THREADS: '1' })).toEqual([1]);
    expect(await bulkThreads({ EMBED_THREADS: '5' })).toEqual([3, 2]);
    expect(await bulkThreads({ EMBED_THREADS: '2', EMBED_BULK_SESSIONS: '4' })).toEqual([1, 1]);
  });

  it('when bulk spinning is off (the default) or on, then only the bulk sessions follow it and the query session never spins', async () => {
    const spinning = async (cfg: typeof config) => {
      const { specs } = await make({ bulkSessions: 2, queryLane: 'dedicated' }, cfg);
      await embedder?.close();
      return specs.map((s) => [s.name, s.allowSpinning]);
    };
    expect(await spinning(config)).toEqual([
      ['embed-bulk', false],
      ['embed-bulk-2', false],
      ['embed-query', false],
    ]);
    expect(await spinning(loadConfig({ EMBED_BULK_SPINNING: 'true' }))).toEqual([
      ['embed-bulk', true],
      ['embed-bulk-2', true],
      ['embed-query', false],
    ]);
  });

  it('when closed, then waiting calls and new calls fail with a retryable closed error', async () => {
    const { embedder, bulk } = await make();
    bulk.hold();
    const pending = embedder.embedDocuments(['one', 'two two', 'three three three']);
    await flush();
    await embedder.close();
    await expect(pending).rejects.toBeInstanceOf(EmbedderClosedError);
    await expect(embedder.embedQuery('late')).rejects.toMatchObject({ retryable: true });
    expect(bulk.closed).toBe(true);
  });

  it('when many texts are queued, then stats report the queue, batches and padding', async () => {
    const { embedder, bulk } = await make({ fixedBudget: 8 });
    bulk.hold();
    const pending = embedder.embedDocuments(['a b', 'c d e f', 'g', 'h i j']);
    await flush();
    expect(embedder.stats().queueDepth).toBe(3);
    bulk.release();
    await pending;
    const s = embedder.stats();
    expect(s).toMatchObject({ budget: 8, texts: 4, realTokens: 4 + 6 + 3 + 5 });
    expect(s.paddingRatio).toBeCloseTo(1 - s.realTokens / s.paddedTokens, 9);
    expect(s.batches).toBeGreaterThan(1);
  });
});
