import { describe, expect, it } from 'vitest';
import { AdaptiveBudget, probeGain } from '../../../src/embedding/budget-controller.ts';
import { seededRandom } from './seeded-random.ts';

/** Real tokens per ms as a function of the budget: a broad peak at `best`, as on a CPU. */
const peakAt = (best: number) => (budget: number) => 7 * Math.exp(-0.5 * Math.log2(budget / best) ** 2);

/**
 * Works off a sorted round of texts (longest first) the way the scheduler does, feeding every batch to
 * the controller. `rate(budget, seq)` is real tokens per ms; `noise` a relative jitter.
 */
function simulateRound(
  ctrl: AdaptiveBudget,
  lengths: number[],
  rate: (budget: number, seq: number) => number,
  noise = 0,
  seed = 1,
): number[] {
  const random = seededRandom(seed);
  const sorted = [...lengths].sort((a, b) => b - a);
  const setpoints: number[] = [];
  for (let i = 0; i < sorted.length;) {
    const budget = ctrl.budget;
    const seq = sorted[i]!;
    const wanted = Math.max(1, Math.floor(budget / seq));
    const batch = sorted.slice(i, i + wanted);
    i += batch.length;
    const realTokens = batch.reduce((a, b) => a + b, 0);
    const jitter = 1 + noise * (2 * random() - 1);
    ctrl.observe({
      budget,
      realTokens,
      paddedTokens: seq * batch.length,
      seq,
      runMs: realTokens / (rate(budget, seq) * jitter),
      full: batch.length === wanted && wanted > 1,
    });
    setpoints.push(ctrl.setpoint);
  }
  return setpoints;
}

/** Skewed lengths like a stream of chunks: many short, a long tail cut at 256. */
function skewedLengths(n: number, seed = 3): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () =>
    Math.min(
      256,
      Math.max(
        3,
        Math.round(
          Math.exp(
            3.8 + 0.9 * Math.sqrt(-2 * Math.log(Math.max(random(), 1e-9))) * Math.cos(2 * Math.PI * random()),
          ),
        ),
      ),
    ),
  );
}

/** Longer texts cost more per token (attention grows with length); the budget has no effect. */
const lengthOnly = (_budget: number, seq: number) => 9 / (1 + seq / 150);

describe('AdaptiveBudget', () => {
  it.each([640, 12000])(
    'when started at %i and throughput peaks at 4096, then the setpoint climbs to the peak',
    (initial) => {
      const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial, maxBatchMs: 1e9 });
      const curve = peakAt(4096);
      simulateRound(
        ctrl,
        Array.from({ length: 20000 }, () => 64),
        (b) => curve(b),
      );
      expect(ctrl.setpoint).toBeGreaterThan(4096 / 1.6);
      expect(ctrl.setpoint).toBeLessThan(4096 * 1.6);
    },
  );

  it('when started far above a peak at 1024, then successive moves grow and reach it within 60 batches', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 12000, maxBatchMs: 1e9 });
    const curve = peakAt(1024);
    const setpoints = simulateRound(
      ctrl,
      Array.from({ length: 20000 }, () => 32),
      (b) => curve(b),
    );
    expect(setpoints.length).toBeGreaterThanOrEqual(60);
    expect(setpoints[59]).toBeLessThan(1024 * 1.6);
    expect(ctrl.setpoint).toBeGreaterThan(1024 / 1.6);
    expect(ctrl.setpoint).toBeLessThan(1024 * 1.6);
  });

  it('when throughput peaks at 4096 and also depends on length, with 5 % noise, then the setpoint still ends near the peak', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 1024, maxBatchMs: 1e9 });
    const curve = peakAt(4096);
    for (let round = 0; round < 6; round++)
      simulateRound(ctrl, skewedLengths(4000, round), (b, seq) => curve(b) * lengthOnly(b, seq), 0.05, round);
    expect(ctrl.setpoint).toBeGreaterThan(4096 / 1.6);
    expect(ctrl.setpoint).toBeLessThan(4096 * 1.6);
  });

  it('when a sorted round gets faster as texts get shorter but the budget does not matter, then the setpoint stays put', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 2048, maxBatchMs: 1e9 });
    const setpoints = simulateRound(ctrl, skewedLengths(6000), lengthOnly);
    expect(new Set(setpoints)).toEqual(new Set([2048]));
    expect(ctrl.moves).toBe(0);
  });

  it('when the rate is pure noise, then the setpoint wanders little', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 2048, maxBatchMs: 1e9 });
    const setpoints = simulateRound(
      ctrl,
      Array.from({ length: 30000 }, () => 64),
      () => 7,
      0.1,
      11,
    );
    expect(ctrl.moves).toBeLessThanOrEqual(2);
    expect(Math.max(...setpoints) / Math.min(...setpoints)).toBeLessThan(1.6);
  });

  it('when two batches in a row run longer than the limit, then the setpoint is cut at once', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 8192, maxBatchMs: 1000 });
    const slow = () => {
      const budget = ctrl.budget;
      ctrl.observe({ budget, realTokens: budget, paddedTokens: budget, seq: 128, runMs: 4000, full: true });
    };
    slow();
    expect(ctrl.setpoint).toBe(8192);
    slow();
    expect(ctrl.setpoint).toBeLessThan(8192 / 4);
    expect(ctrl.budget).toBeGreaterThanOrEqual(512);
  });

  it('when a single batch is slow among fast ones, then the setpoint is not cut', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 8192, maxBatchMs: 1000 });
    for (const runMs of [4000, 500, 4000, 500]) {
      const budget = ctrl.budget;
      ctrl.observe({ budget, realTokens: budget, paddedTokens: budget, seq: 128, runMs, full: false });
    }
    expect(ctrl.setpoint).toBe(8192);
  });

  it('when batches are cut short by the queue, then they do not move the setpoint', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 16384, initial: 2048, maxBatchMs: 1e9 });
    for (let i = 0; i < 40; i++) {
      const budget = ctrl.budget;
      ctrl.observe({
        budget,
        realTokens: 100,
        paddedTokens: 100,
        seq: 50,
        runMs: budget > 2048 ? 1 : 100,
        full: false,
      });
    }
    expect(ctrl.setpoint).toBe(2048);
  });

  it('when bigger is always faster, then both probes stay within the bounds', () => {
    const ctrl = new AdaptiveBudget({ min: 512, max: 4096, maxBatchMs: 1e9 });
    const seen: number[] = [];
    for (let i = 0; i < 400; i++) {
      const budget = ctrl.budget;
      seen.push(budget);
      ctrl.observe({
        budget,
        realTokens: budget,
        paddedTokens: budget,
        seq: 64,
        runMs: budget / budget ** 0.2,
        full: true,
      });
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(4096);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(512);
    expect(ctrl.setpoint).toBeGreaterThan(3000);
  });
});

describe('probeGain', () => {
  it('when the upper probe is 10 % faster at every width, then the gain is log 1.1 whatever the widths', () => {
    const samples = [256, 200, 150, 120, 100, 80, 60, 50].map((seq, i) => {
      const arm = [1, -1, -1, 1][i % 4]!;
      return { logSeq: Math.log(seq), arm, logRate: Math.log(1000 / seq) + (arm > 0 ? Math.log(1.1) : 0) };
    });
    const { gain, stderr } = probeGain(samples);
    expect(gain).toBeCloseTo(Math.log(1.1), 6);
    expect(stderr).toBeLessThan(1e-6);
  });
});
