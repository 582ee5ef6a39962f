import { describe, expect, it } from 'vitest';
import { AdaptiveBudget } from '../../../src/embedding/budget-controller.ts';

/** Real tokens per ms as a function of the budget: a broad peak at `best`, as on a CPU. */
function rateCurve(best: number): (budget: number) => number {
  return (budget) => 7 * Math.exp(-0.5 * Math.log2(budget / best) ** 2);
}

/** Feeds `n` full batches to the controller and returns the setpoints it went through. */
function drive(ctrl: AdaptiveBudget, rate: (budget: number, step: number) => number, n: number): number[] {
  const setpoints: number[] = [];
  for (let step = 0; step < n; step++) {
    const budget = ctrl.budget;
    const realTokens = budget * 0.95;
    ctrl.observe({ budget, realTokens, paddedTokens: budget, runMs: realTokens / rate(budget, step), full: true });
    setpoints.push(ctrl.setpoint);
  }
  return setpoints;
}

describe('AdaptiveBudget', () => {
  it.each([512, 16384])('when started at %i and throughput peaks at 4096, then the setpoint climbs to the peak', (initial) => {
    const ctrl = new AdaptiveBudget({ min: 256, max: 32768, initial, maxBatchMs: 1e9 });
    const curve = rateCurve(4096);
    drive(ctrl, (b) => curve(b), 200);
    expect(ctrl.setpoint).toBeGreaterThan(4096 / 1.6);
    expect(ctrl.setpoint).toBeLessThan(4096 * 1.6);
  });

  it('when throughput only drifts with sequence length and not with the budget, then the setpoint stays put', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 2048, maxBatchMs: 1e9 });
    // Longest texts come first and run slowest; the rate rises steadily over the round.
    const setpoints = drive(ctrl, (_b, step) => 3 + step * 0.05, 120);
    expect(new Set(setpoints)).toEqual(new Set([2048]));
    expect(ctrl.moves).toBe(0);
  });

  it('when a batch runs longer than the limit, then the setpoint is cut at once', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 8192, maxBatchMs: 1000 });
    const budget = ctrl.budget;
    ctrl.observe({ budget, realTokens: budget, paddedTokens: budget, runMs: 4000, full: true });
    expect(ctrl.setpoint).toBeLessThan(8192 / 4);
    expect(ctrl.budget * 1).toBeGreaterThanOrEqual(512);
  });

  it('when batches are cut short by the queue, then they do not move the setpoint', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 2048, maxBatchMs: 1e9 });
    for (let i = 0; i < 40; i++) {
      const budget = ctrl.budget;
      // Wildly different rates that would move the setpoint if they counted.
      ctrl.observe({ budget, realTokens: 100, paddedTokens: 100, runMs: i % 2 ? 1 : 100, full: false });
    }
    expect(ctrl.setpoint).toBe(2048);
  });

  it('when the best budget is beyond the bounds, then both probes stay within them', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 4096, maxBatchMs: 1e9 });
    const seen: number[] = [];
    // Bigger is always faster here.
    const curve = (budget: number) => budget ** 0.2;
    for (let i = 0; i < 200; i++) {
      const budget = ctrl.budget;
      seen.push(budget);
      ctrl.observe({ budget, realTokens: budget, paddedTokens: budget, runMs: budget / curve(budget), full: true });
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(4096);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(512);
    expect(ctrl.setpoint).toBeGreaterThan(3000);
  });
});
