import { describe, expect, it } from 'vitest';
import {
  averagePrecisionAtK,
  evaluateRun,
  ndcgAtK,
  rankByScore,
  recallAtK,
  reciprocalRankAtK,
  STANDARD_METRICS,
  type Qrels,
} from '../../src/eval/ranking-metrics.ts';

const judged = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('ndcgAtK', () => {
  it('when the ranking carries the textbook grades 3,2,3,0,1,2, then nDCG@6 is 6.861 / 7.141 = 0.961', () => {
    // The worked example of the Wikipedia article on DCG, with the ideal taken from these six documents.
    const judgements = judged({ d1: 3, d2: 2, d3: 3, d4: 0, d5: 1, d6: 2 });
    expect(ndcgAtK(['d1', 'd2', 'd3', 'd4', 'd5', 'd6'], judgements, 6)).toBeCloseTo(0.961, 3);
  });

  it('when the best documents come first, then nDCG is 1', () => {
    const judgements = judged({ a: 2, b: 1, c: 1 });
    expect(ndcgAtK(['a', 'b', 'c', 'x'], judgements, 10)).toBeCloseTo(1, 12);
    expect(ndcgAtK(['a', 'c', 'b'], judgements, 10)).toBeCloseTo(1, 12);
  });

  it('when a relevant document was judged but not retrieved, then the ideal still counts it', () => {
    // DCG = 2/log2(2) = 2; ideal = 2 + 1/log2(3).
    const judgements = judged({ a: 2, b: 1 });
    expect(ndcgAtK(['a', 'x', 'y'], judgements, 10)).toBeCloseTo(2 / (2 + 1 / Math.log2(3)), 12);
  });

  it('when the cut-off is below the ideal list, then the ideal is cut at k too', () => {
    // Ranked grades 1,2 at k=2: 1 + 2/log2(3); ideal 2,2: 2 + 2/log2(3).
    const judgements = judged({ a: 2, b: 2, c: 1 });
    expect(ndcgAtK(['c', 'a', 'b'], judgements, 2)).toBeCloseTo(
      (1 + 2 / Math.log2(3)) / (2 + 2 / Math.log2(3)),
      12,
    );
  });

  it('when a document appears twice in the ranking, then its gain counts once', () => {
    const judgements = judged({ a: 1, b: 1 });
    expect(ndcgAtK(['a', 'a', 'b'], judgements, 2)).toBeCloseTo(1, 12);
  });

  it('when nothing is relevant, then nDCG is 0 rather than NaN', () => {
    expect(ndcgAtK(['a'], judged({ a: 0 }), 10)).toBe(0);
  });
});

describe('recallAtK', () => {
  it('when 2 of 4 relevant documents are in the first k, then recall is 0.5', () => {
    const judgements = judged({ a: 1, b: 2, c: 1, d: 1, z: 0 });
    expect(recallAtK(['a', 'z', 'x', 'b', 'c'], judgements, 4)).toBe(0.5);
    expect(recallAtK(['a', 'z', 'x', 'b', 'c'], judgements, 5)).toBe(0.75);
  });

  it('when a document is judged with grade 0, then retrieving it does not count as recall', () => {
    expect(recallAtK(['z'], judged({ z: 0, a: 1 }), 10)).toBe(0);
  });
});

describe('reciprocalRankAtK', () => {
  it('when the first relevant document is third, then the reciprocal rank is 1/3', () => {
    expect(reciprocalRankAtK(['x', 'y', 'a', 'b'], judged({ a: 1, b: 2 }), 10)).toBeCloseTo(1 / 3, 12);
  });

  it('when the first relevant document lies beyond k, then the reciprocal rank is 0', () => {
    const ranked = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10', 'a'];
    expect(reciprocalRankAtK(ranked, judged({ a: 1 }), 10)).toBe(0);
    expect(reciprocalRankAtK(ranked, judged({ a: 1 }), 11)).toBeCloseTo(1 / 11, 12);
  });
});

describe('averagePrecisionAtK', () => {
  it('when relevant documents are at ranks 1 and 3 of 4 relevant, then AP is (1 + 2/3) / 4', () => {
    const judgements = judged({ a: 1, b: 1, c: 1, d: 1 });
    expect(averagePrecisionAtK(['a', 'x', 'b', 'y', 'z'], judgements, 10)).toBeCloseTo(5 / 12, 12);
  });

  it('when the cut-off hides a relevant document, then the divisor is still every relevant document', () => {
    const judgements = judged({ a: 1, b: 1, c: 1, d: 1 });
    expect(averagePrecisionAtK(['a', 'x', 'b'], judgements, 2)).toBeCloseTo(1 / 4, 12);
  });
});

describe('rankByScore', () => {
  it('when scores tie, then the larger document id comes first, as in trec_eval', () => {
    const ranked = rankByScore([
      { id: 'a1', score: 0.8 },
      { id: 'top', score: 0.9 },
      { id: 'x1', score: 0.8 },
      { id: 'b', score: 0.8 },
    ]);
    expect(ranked).toEqual(['top', 'x1', 'b', 'a1']);
  });
});

describe('evaluateRun', () => {
  it('when a query has no relevant document, then it is left out of the mean', () => {
    const qrels: Qrels = new Map([
      ['q1', judged({ a: 1 })],
      ['q2', judged({ b: 0 })],
    ]);
    const run = new Map([
      ['q1', ['x', 'a']],
      ['q2', ['b']],
    ]);
    const result = evaluateRun(run, qrels, [{ kind: 'MRR', k: 10 }]);
    expect(result.queries).toBe(1);
    expect(result.means.get('MRR@10')).toBe(0.5);
  });

  it('when the run has no ranking for a judged query, then that query scores 0 and is counted as missing', () => {
    const qrels: Qrels = new Map([
      ['q1', judged({ a: 1 })],
      ['q2', judged({ b: 1 })],
    ]);
    const result = evaluateRun(new Map([['q1', ['a']]]), qrels, [{ kind: 'Recall', k: 10 }]);
    expect(result.queries).toBe(2);
    expect(result.missing).toBe(1);
    expect(result.means.get('Recall@10')).toBe(0.5);
    expect(result.perQuery.get('q2')?.get('Recall@10')).toBe(0);
  });

  it('when no query is judged, then every mean is 0', () => {
    const result = evaluateRun(new Map(), new Map());
    expect(result.queries).toBe(0);
    expect([...result.means.values()]).toEqual(STANDARD_METRICS.map(() => 0));
  });
});

/**
 * Cross-check against pytrec_eval (pytrec-eval-terrier 0.5.11, trec_eval inside: the evaluator BEIR and MTEB use):
 * these qrels and scores were fed to RelevanceEvaluator with ndcg_cut, recall, map_cut and
 * recip_rank (MRR@10 = recip_rank of each run cut to its first 10), and the figures below are what
 * it printed. The run has a score tie (x1, a1) and a query with more than 100 candidates.
 */
describe('agreement with pytrec_eval', () => {
  const qrels: Qrels = new Map([
    ['qA', judged({ a1: 2, a2: 1, a3: 1, a4: 0, a5: 2, a9: 1 })],
    ['qB', judged({ b7: 1, b8: 0 })],
    [
      'qC',
      new Map([
        ...Array.from({ length: 18 }, (_, n): [string, number] => [`c${n * 7}`, (n * 7) % 3 === 0 ? 2 : 1]),
        ['c1', 0] as [string, number],
        ['c2', 0] as [string, number],
      ]),
    ],
  ]);
  const scores: Record<string, Record<string, number>> = {
    qA: {
      a3: 0.9,
      x1: 0.8,
      a1: 0.8,
      a4: 0.7,
      a2: 0.6,
      x2: 0.5,
      a5: 0.4,
      x3: 0.3,
      x4: 0.2,
      x5: 0.1,
      a9: 0.05,
    },
    qB: {
      ...Object.fromEntries(Array.from({ length: 10 }, (_, n) => [`b${n + 1}`, 1 - (n + 1) / 100])),
      b7: 0.985,
    },
    qC: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`c${i}`, ((i * 37) % 150) / 150])),
  };
  const run = new Map(
    Object.entries(scores).map(([q, s]) => [
      q,
      rankByScore(Object.entries(s).map(([id, score]) => ({ id, score }))),
    ]),
  );
  const expected: Record<string, Record<string, number>> = {
    qA: {
      'nDCG@5': 0.521216449119,
      'nDCG@10': 0.666796281982,
      'nDCG@100': 0.727708983092,
      'Recall@10': 0.8,
      'Recall@100': 1,
      'MAP@10': 0.567619047619,
      'MAP@100': 0.658528138528,
      'MRR@10': 1,
    },
    qB: {
      'nDCG@5': 0.630929753571,
      'nDCG@10': 0.630929753571,
      'nDCG@100': 0.630929753571,
      'Recall@10': 1,
      'Recall@100': 1,
      'MAP@10': 0.5,
      'MAP@100': 0.5,
      'MRR@10': 0.5,
    },
    qC: {
      'nDCG@5': 0.169580102637,
      'nDCG@10': 0.127417335504,
      'nDCG@100': 0.399891624207,
      'Recall@10': 0.055555555556,
      'Recall@100': 0.722222222222,
      'MAP@10': 0.055555555556,
      'MAP@100': 0.148032736632,
      'MRR@10': 1,
    },
  };
  const specs = [
    { kind: 'nDCG', k: 5 },
    { kind: 'nDCG', k: 10 },
    { kind: 'nDCG', k: 100 },
    { kind: 'Recall', k: 10 },
    { kind: 'Recall', k: 100 },
    { kind: 'MAP', k: 10 },
    { kind: 'MAP', k: 100 },
    { kind: 'MRR', k: 10 },
  ] as const;

  it('when the tie is broken, then the order is the one pytrec_eval used', () => {
    expect(run.get('qA')?.slice(0, 4)).toEqual(['a3', 'x1', 'a1', 'a4']);
    expect(run.get('qC')?.slice(0, 4)).toEqual(['c77', 'c4', 'c81', 'c8']);
  });

  it('when each query is scored, then every figure matches pytrec_eval to 1e-9', () => {
    const result = evaluateRun(run, qrels, specs);
    for (const [queryId, figures] of Object.entries(expected)) {
      for (const [label, value] of Object.entries(figures)) {
        expect(result.perQuery.get(queryId)?.get(label), `${queryId} ${label}`).toBeCloseTo(value, 9);
      }
    }
  });

  it('when the queries are averaged, then the means match the mean of pytrec_eval figures', () => {
    const result = evaluateRun(run, qrels, specs);
    expect(result.queries).toBe(3);
    expect(result.means.get('nDCG@10')).toBeCloseTo(
      (0.666796281982 + 0.630929753571 + 0.127417335504) / 3,
      9,
    );
    expect(result.means.get('Recall@100')).toBeCloseTo((1 + 1 + 0.722222222222) / 3, 9);
  });
});
