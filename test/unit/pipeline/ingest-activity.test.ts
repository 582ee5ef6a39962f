import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it, vi } from 'vitest';
import { createActivities, type ActivityDeps } from '../../../activities/index.ts';
import { EmptyTextError, type EmbedOutcome } from '../../../src/embedding/index.ts';
import type { ChunkPayload, ChunkPoint, StaleSelector } from '../../../src/qdrant/index.ts';
import type { DocumentInput, IngestBatchResult, SearchAnswer } from '../../../workflows/contracts.ts';

interface StoreCalls {
  ensured: string[];
  upserts: ChunkPoint[][];
  deletes: StaleSelector[][];
}

function fakes(opts: { failText?: string; hold?: (text: string) => Promise<void> | undefined } = {}) {
  const calls: StoreCalls = { ensured: [], upserts: [], deletes: [] };
  const published: { ids: string[]; reasons: string[] }[] = [];
  const deps: ActivityDeps = {
    config: { qdrantCollection: 'docs', chunkTokens: 4, chunkOverlap: 1 },
    embedder: {
      dimension: 2,
      embedDocumentsEach: (texts) =>
        texts.map((t, i): Promise<EmbedOutcome> => {
          const outcome: EmbedOutcome =
            opts.failText && t.includes(opts.failText)
              ? { ok: false, error: new EmptyTextError(i) }
              : { ok: true, vector: new Float32Array([1, 0]) };
          return opts.hold?.(t) ? opts.hold(t)!.then(() => outcome) : Promise.resolve(outcome);
        }),
      embedQuery: () => Promise.resolve(new Float32Array([1, 0])),
    },
    tokenizer: {
      encodeWithOffsets: (text) => {
        const offsets: [number, number][] = [...text.matchAll(/\S+/g)].map((m) => [
          m.index,
          m.index + m[0].length,
        ]);
        return Promise.resolve({ ids: offsets.map(() => 1), offsets });
      },
    },
    store: {
      ensureCollection: (name) => {
        calls.ensured.push(name);
        return Promise.resolve();
      },
      upsertChunks: (_c, points) => {
        calls.upserts.push([...points]);
        return Promise.resolve();
      },
      deleteStale: (_c, docs) => {
        calls.deletes.push([...docs]);
        return Promise.resolve();
      },
      query: () => Promise.resolve([]),
    },
    publisher: {
      publishFailedDocuments: (docs, failures) => {
        published.push({ ids: docs.map((d) => d.id), reasons: failures.map((f) => f.reason) });
        return Promise.resolve();
      },
      publishAnswer: () => Promise.resolve(),
    },
  };
  return { deps, calls, published };
}

const doc = (id: string, text: string, version = 5): DocumentInput => ({
  id,
  op: 'upsert',
  text,
  title: 'T',
  version,
});

describe('the ingest activity', () => {
  it('when documents are ingested, then every chunk is upserted with its payload and stale chunks are removed', async () => {
    const { deps, calls } = fakes();
    const acts = createActivities(deps);
    const result = await new MockActivityEnvironment().run(acts.ingestDocuments, [
      doc('a', 'one two three four five six seven'),
      doc('b', 'short one', 7),
    ]);
    expect(result).toEqual({ upserted: 2, deleted: 0, chunks: 3, failed: [] });
    expect(calls.ensured).toEqual(['docs']);
    const points = calls.upserts.flat();
    expect(points.map((p) => [p.documentId, p.chunkIndex, p.payload.chunk_count])).toEqual([
      ['a', 0, 2],
      ['a', 1, 2],
      ['b', 0, 1],
    ]);
    expect(points[0]!.payload).toMatchObject({
      doc_id: 'a',
      title: 'T',
      version: 5,
      text: 'one two three four',
    });
    expect(calls.deletes.at(-1)).toEqual([
      { id: 'a', version: 5 },
      { id: 'b', version: 7 },
    ]);
  });

  it('when one document is embedded while the rest of its batch is not, then it is written without waiting for them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const { deps, calls } = fakes({ hold: (t) => (t.includes('slow') ? held : undefined) });
      const running = new MockActivityEnvironment().run(createActivities(deps).ingestDocuments, [
        doc('quick', 'one two three'),
        doc('late', 'slow words here', 6),
      ]);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls.upserts.map((u) => u.map((p) => p.documentId))).toEqual([['quick']]);
      expect(calls.deletes.filter((d) => d.length > 0)).toEqual([[{ id: 'quick', version: 5 }]]);
      release();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await running).toEqual({ upserted: 2, deleted: 0, chunks: 2, failed: [] });
      expect(calls.upserts.map((u) => u.map((p) => p.documentId))).toEqual([['quick'], ['late']]);
      expect(calls.deletes.at(-1)).toEqual([{ id: 'late', version: 6 }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('when a batch is chunked, then each document goes to the engine before the next one is chunked', async () => {
    const { deps } = fakes();
    const steps: string[] = [];
    const { tokenizer, embedder } = deps;
    deps.tokenizer = {
      encodeWithOffsets: (text) => {
        steps.push(`chunk ${text.split(' ')[0]}`);
        return tokenizer.encodeWithOffsets(text);
      },
    };
    deps.embedder = {
      ...embedder,
      embedDocumentsEach: (texts) => {
        steps.push(`embed ${texts.map((t) => t.split(/\s/)[1]).join(' ')}`);
        return embedder.embedDocumentsEach(texts);
      },
    };
    const result = await new MockActivityEnvironment().run(createActivities(deps).ingestDocuments, [
      doc('a', 'first two three four five'),
      doc('b', 'second two'),
      doc('c', 'third'),
    ]);
    expect(result).toEqual({ upserted: 3, deleted: 0, chunks: 4, failed: [] });
    expect(steps).toEqual([
      'chunk first',
      'embed first four',
      'chunk second',
      'embed second',
      'chunk third',
      'embed third',
    ]);
  });

  it('when a document is deleted, then all its chunks up to its version are removed', async () => {
    const { deps, calls } = fakes();
    const result: IngestBatchResult = await new MockActivityEnvironment().run(
      createActivities(deps).ingestDocuments,
      [{ id: 'a', op: 'delete', version: 9 } satisfies DocumentInput],
    );
    expect(result.deleted).toBe(1);
    expect(calls.deletes[0]).toEqual([{ id: 'a', version: 9, inclusive: true }]);
    expect(calls.upserts.flat()).toEqual([]);
  });

  it('when a document has no text or a text the model rejects, then only it fails, with a reason', async () => {
    const { deps, calls } = fakes({ failText: 'poison' });
    const result: IngestBatchResult = await new MockActivityEnvironment().run(
      createActivities(deps).ingestDocuments,
      [doc('ok', 'fine text'), doc('blank', '   '), doc('bad', 'poison pill')],
    );
    expect(result.upserted).toBe(1);
    expect(result.failed.map((f) => [f.id, f.type])).toEqual([
      ['blank', 'InvalidDocument'],
      ['bad', 'EmptyText'],
    ]);
    expect(calls.upserts.flat().map((p) => p.documentId)).toEqual(['ok']);
  });
});

const chunk = (docId: string, index: number, text: string): ChunkPayload => ({
  doc_id: docId,
  chunk_index: index,
  chunk_count: 2,
  text,
  version: 1,
});

describe('the answer activity', () => {
  it('when a query came through Kafka, then its answer is published to the reply topic with the time since it was published', async () => {
    const { deps } = fakes();
    const answers: { topic: string; answer: unknown }[] = [];
    deps.publisher.publishAnswer = (topic, answer) => {
      answers.push({ topic, answer });
      return Promise.resolve();
    };
    deps.store.query = () =>
      Promise.resolve([
        { pointId: 'p1', score: 0.9, payload: chunk('a', 0, 'alpha') },
        { pointId: 'p2', score: 0.8, payload: chunk('a', 1, 'alpha two') },
        { pointId: 'p3', score: 0.7, payload: chunk('b', 0, 'beta') },
      ]);
    const acts = createActivities(deps);
    const receivedAt = Date.now() - 40;
    const answer: SearchAnswer = await new MockActivityEnvironment().run(acts.answerQuery, {
      requestId: 'r1',
      text: 'alpha',
      topK: 5,
      replyTopic: 'results',
      receivedAt,
    });
    expect(answer.hits.map((h) => h.id)).toEqual(['a', 'b']);
    expect(answer.tookMs).toBeGreaterThanOrEqual(40);
    expect(answers).toEqual([{ topic: 'results', answer }]);
  });

  it('when a query came from the Temporal client, then the answer is only returned', async () => {
    const { deps } = fakes();
    let sent = 0;
    deps.publisher.publishAnswer = () => {
      sent += 1;
      return Promise.resolve();
    };
    const acts = createActivities(deps);
    const answer = await new MockActivityEnvironment().run(acts.answerQuery, {
      requestId: 'r2',
      text: 'alpha',
      topK: 5,
    });
    expect(answer).toMatchObject({ requestId: 'r2', hits: [] });
    expect(sent).toBe(0);
  });
});
