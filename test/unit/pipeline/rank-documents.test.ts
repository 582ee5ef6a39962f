import { describe, expect, it } from 'vitest';
import type { ScoredChunk } from '../../../src/qdrant/index.ts';
import { groupByDocument, mmrRerank } from '../../../src/search/rank-documents.ts';

function chunk(doc: string, score: number, vector?: number[]): ScoredChunk {
  return {
    pointId: `${doc}-${score}`,
    score,
    payload: {
      doc_id: doc,
      chunk_index: 0,
      chunk_count: 1,
      text: `text of ${doc}`,
      version: 1,
      title: doc.toUpperCase(),
    },
    ...(vector ? { vector } : {}),
  };
}

describe('ranking documents', () => {
  it('when several chunks of a document match, then the document appears once with its best score', () => {
    const docs = groupByDocument([chunk('a', 0.9), chunk('b', 0.8), chunk('a', 0.7), chunk('c', 0.6)]);
    expect(docs.map((d) => [d.hit.id, d.hit.score])).toEqual([
      ['a', 0.9],
      ['b', 0.8],
      ['c', 0.6],
    ]);
    expect(docs[0]!.hit.title).toBe('A');
    expect(docs[0]!.hit.snippet).toBe('text of a');
  });

  it('when two top documents are near duplicates, then MMR promotes a different one', () => {
    const docs = groupByDocument([
      chunk('a', 0.9, [1, 0]),
      chunk('a2', 0.89, [0.999, 0.0447]),
      chunk('b', 0.7, [0, 1]),
    ]);
    expect(mmrRerank(docs, 2, 0.5).map((d) => d.hit.id)).toEqual(['a', 'b']);
    // With full weight on relevance the order is the plain score order.
    expect(mmrRerank(docs, 2, 1).map((d) => d.hit.id)).toEqual(['a', 'a2']);
  });
});
