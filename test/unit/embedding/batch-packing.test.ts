import { describe, expect, it } from 'vitest';
import {
  budgetPrefixLength,
  packByCount,
  packByTokenBudget,
  paddedTokens,
  realTokens,
} from '../../../src/embedding/batch-packing.ts';

const items = (lengths: number[]) => lengths.map((tokens, id) => ({ id, tokens }));

describe('packByTokenBudget', () => {
  it('when texts of mixed lengths are packed, then every batch fits the budget and every text is kept once', () => {
    const input = items([5, 120, 33, 7, 256, 64, 64, 12, 90, 3, 41, 200]);
    const batches = packByTokenBudget(input, 512);
    for (const b of batches) expect(paddedTokens(b)).toBeLessThanOrEqual(512);
    expect(
      batches
        .flat()
        .map((i) => i.id)
        .sort((a, b) => a - b),
    ).toEqual(input.map((i) => i.id));
  });

  it('when texts are packed, then batches run longest first and neighbours in length share a batch', () => {
    const batches = packByTokenBudget(items([10, 200, 11, 190, 12, 195]), 600);
    expect(batches.map((b) => b.map((i) => i.tokens))).toEqual([
      [200, 195, 190],
      [12, 11, 10],
    ]);
  });

  it('when sorting by length, then far less is padding than in arrival order', () => {
    const lengths = [250, 8, 9, 240, 7, 10, 230, 6];
    const sorted = packByTokenBudget(items(lengths), 1024);
    const naive = packByCount(items(lengths), 4);
    const pad = (bs: { tokens: number }[][]) => bs.reduce((a, b) => a + paddedTokens(b), 0);
    expect(pad(sorted)).toBeLessThan(pad(naive) / 1.5);
    expect(sorted.reduce((a, b) => a + realTokens(b), 0)).toBe(lengths.reduce((a, b) => a + b, 0));
  });

  it('when a text is longer than the budget, then it goes alone', () => {
    expect(budgetPrefixLength(items([300, 20, 10]), 256)).toBe(1);
    expect(packByTokenBudget(items([300, 20, 10]), 256).map((b) => b.length)).toEqual([1, 2]);
  });
});

describe('packByCount', () => {
  it('when cut by count, then arrival order is kept and only the last batch is short', () => {
    const batches = packByCount([1, 2, 3, 4, 5, 6, 7], 3);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });
});
