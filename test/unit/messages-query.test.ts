import { describe, expect, it } from 'vitest';
import {
  encodeQueryResult,
  findRequestId,
  isSearchError,
  parseQueryMessage,
  parseQueryResult,
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
