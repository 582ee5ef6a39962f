import { describe, expect, it } from 'vitest';
import { isFiniteRow, meanPoolNormalize } from '../../../src/embedding/mean-pooling.ts';

describe('meanPoolNormalize', () => {
  it('when a row is padded, then the padding positions do not count and the result has unit length', () => {
    // batch 2, seq 3, dim 2; row 0 has 2 real tokens, row 1 has 3.
    const hidden = Float32Array.from([1, 0, 3, 0, 99, 99, 0, 1, 0, 2, 0, 3]);
    const out = meanPoolNormalize(hidden, Int32Array.from([2, 3]), 3, 2);
    expect(Array.from(out)).toEqual([1, 0, 0, 1]);
  });

  it('when the mean is not axis-aligned, then it is scaled to unit length', () => {
    const out = meanPoolNormalize(Float32Array.from([3, 4]), Int32Array.from([1]), 1, 2);
    expect(out[0]).toBeCloseTo(0.6, 6);
    expect(out[1]).toBeCloseTo(0.8, 6);
  });

  it('when every component is zero, then the vector stays zero instead of NaN', () => {
    const out = meanPoolNormalize(new Float32Array(4), Int32Array.from([2]), 2, 2);
    expect(Array.from(out)).toEqual([0, 0]);
    expect(isFiniteRow(out, 0, 2)).toBe(true);
  });

  it('when a component is NaN, then the row is reported as not finite', () => {
    expect(isFiniteRow(Float32Array.from([1, 2, Number.NaN, 4]), 1, 2)).toBe(false);
    expect(isFiniteRow(Float32Array.from([1, 2, Number.NaN, 4]), 0, 2)).toBe(true);
  });
});
