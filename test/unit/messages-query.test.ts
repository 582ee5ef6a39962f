import { describe, expect, it } from 'vitest';
import {
  encodeQueryResult,
  findRequestId,
  isSearchError,
  parseQueryMessage,
  parseQueryResult,
  readQueryFile,
  resultLine,
} from '../../src/messages/index.ts';

describe('queries topic messages', () => {
  it('when a query has requestId and text, then its optional fields are kept', () => {
    const value = JSON.stringify({
      requestId: 'r1',
      text: 'rivers',
      topK: 5,
      filter: { must: [] },
      collection: 'c',
      mmr: true,
      other: 1,
    });
    expect(parseQueryMessage(value)).toEqual({
      ok: true,
      value: { requestId: 'r1', text: 'rivers', topK: 5, filter: { must: [] }, collection: 'c', mmr: true },
    });
  });

  it('when a BEIR query line comes as it is, then _id is its requestId', () => {
    expect(
      parseQueryMessage(
        '{"_id": "PLAIN-3", "text": "Breast Cancer Cells Feed on Cholesterol", "metadata": {}}',
      ),
    ).toEqual({
      ok: true,
      value: { requestId: 'PLAIN-3', text: 'Breast Cancer Cells Feed on Cholesterol' },
    });
  });

  it('when topK, text or filter are wrong, then each is named with what is expected', () => {
    const r = parseQueryMessage(JSON.stringify({ requestId: 'r', text: ' ', topK: 1.5, filter: 'lang=en' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.type).toBe('InvalidQuery');
    expect(r.error.message).toBe(
      'text: must not be blank; topK: must be an integer from 1 to 1000; filter: must be a JSON object (a Qdrant filter)',
    );
  });

  it('when a query lacks its requestId among other problems, then that is listed too', () => {
    const r = parseQueryMessage('{"text": "", "mmr": "yes"}');
    expect(r.ok ? '' : r.error.message).toBe(
      'text: must not be blank; mmr: must be true or false; requestId: is required (or "_id", as in BEIR query files)',
    );
  });

  it('when a query is invalid, then its requestId is still found if it has one', () => {
    expect(findRequestId(Buffer.from('{"requestId": "r9", "topK": -1}'))).toBe('r9');
    expect(findRequestId('{"_id": 12}')).toBe('12');
    expect(findRequestId('{"text": "no id"}')).toBeUndefined();
    expect(findRequestId('not json')).toBeUndefined();
    expect(findRequestId(null)).toBeUndefined();
  });
});

describe('query-results messages', () => {
  it('when an answer or an error is encoded, then it is keyed by requestId and reads back the same', () => {
    const answer = {
      requestId: 'r1',
      hits: [{ id: 'd1', score: 0.9, title: 'T', snippet: 's', metadata: { a: 1 } }],
      tookMs: 12,
    };
    const encoded = encodeQueryResult(answer);
    expect(encoded.key).toBe('r1');
    expect(parseQueryResult(encoded.value)).toEqual({ ok: true, value: answer });
    const error = parseQueryResult(
      encodeQueryResult({ requestId: 'r2', error: 'invalid query: text: must not be blank' }).value,
    );
    expect(error.ok && isSearchError(error.value)).toBe(true);
  });

  it('when an answer lacks its hits, then it is refused', () => {
    expect(parseQueryResult('{"requestId": "r1", "tookMs": 3}').ok).toBe(false);
  });
});

describe('query files', () => {
  it('when a file mixes BEIR lines, own ids and bad lines, then each query gets a fresh request id and keeps its own id', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'embedstream-queries-'));
    const file = path.join(dir, 'queries.jsonl');
    await writeFile(
      file,
      [
        '{"_id": "PLAIN-1", "text": "a"}',
        '[1]',
        '{"requestId": "mine", "text": "b", "topK": 2}',
        '{"text": "c"}',
        '{"_id": "x"}',
      ].join('\n'),
    );
    const { queries, invalid } = await readQueryFile(file, 'run1', 5);
    expect(queries).toEqual([
      { id: 'PLAIN-1', message: { requestId: 'run1-0', text: 'a', topK: 5 } },
      { id: 'mine', message: { requestId: 'run1-1', text: 'b', topK: 2 } },
      { id: 'line-4', message: { requestId: 'run1-2', text: 'c', topK: 5 } },
    ]);
    expect(invalid).toEqual([
      `${file}:2: not a JSON object`,
      `${file}:5: text: is required and must be a string`,
    ]);
  });

  it('when a result is written, then an answer keeps id and score of each hit and an error keeps its reason', () => {
    expect(
      resultLine('q1', { requestId: 'r', hits: [{ id: 'd', score: 0.5, title: 'T' }], tookMs: 3 }),
    ).toEqual({ id: 'q1', hits: [{ id: 'd', score: 0.5 }] });
    expect(resultLine('q2', { requestId: 'r', error: 'boom' })).toEqual({
      id: 'q2',
      hits: [],
      error: 'boom',
    });
  });
});
