/** What one completed batch tells the controller. */
export interface BatchSample {
  /** The budget the batch was packed with. */
  budget: number;
  realTokens: number;
  paddedTokens: number;
  /** Width of the batch: its longest text, in tokens. */
  seq: number;
  runMs: number;
  /**
   * Whether the budget, not a short queue, limited the batch. Only full batches say anything about
   * the budget: a tail of three texts is small whatever the budget was.
   */
  full: boolean;
}

/** Chooses how many padded tokens the next batch may hold. */
export interface BudgetController {
  /** Budget to pack the next batch with. */
  readonly budget: number;
  /** The operating point, reported in stats (the adaptive controller probes either side of it). */
  readonly setpoint: number;
  observe(sample: BatchSample): void;
}

/** Always the same budget: the fixed-budget baselines and the query lane. */
export class FixedBudget implements BudgetController {
  readonly budget: number;
  constructor(budget: number) {
    this.budget = budget;
  }
  get setpoint(): number {
    return this.budget;
  }
  observe(): void {}
}

export interface AdaptiveBudgetOptions {
  min: number;
  max: number;
  /** Where to start (clamped to the bounds); the geometric middle of the bounds if absent. */
  initial?: number;
  /** Longest a single batch may run; above it the budget is cut at once. */
  maxBatchMs: number;
  /** Ratio between the probe budgets and the setpoint (1.25: probe at ×1.25 and ÷1.25). */
  probeRatio?: number;
  /** Smallest throughput gain between the probes (log ratio) worth a move. */
  minGain?: number;
}

/**
 * Evidence is weighed after 8, 16 and 24 full batches, then dropped to start afresh (the best budget
 * may drift with the load). Few looks at a high bar keep false moves on pure noise rare.
 */
const LOOK_EVERY = 8;
const MAX_SAMPLES = 24;
const Z = 2.5;
/** Probe order: above, below, below, above; balanced in time over every four batches. */
const ARMS = [1, -1, -1, 1] as const;

/**
 * Hill-climbing on real tokens per second, with a latency cap.
 *
 * The budget is probed alternately a step above and a step below the setpoint. Throughput depends on
 * sequence length as much as on the budget, and a round is worked off longest first, so the two probes
 * are never compared raw: each sample's log rate is regressed on its batch width (log seq) and on the
 * probe side, and only the probe coefficient counts. The setpoint moves towards the faster side when
 * that gain is both larger than `minGain` and 2.5 times its standard error, so noise alone rarely moves
 * it; successive moves the same way grow, so a start far from the best budget is left quickly.
 * Two batches in a row slower than `maxBatchMs` cut the setpoint at once (multiplicative decrease),
 * since long batches hold memory and delay queries that share the session.
 */
export class AdaptiveBudget implements BudgetController {
  readonly #min: number;
  readonly #max: number;
  readonly #maxBatchMs: number;
  readonly #ratio: number;
  readonly #minGain: number;
  #setpoint: number;
  #phase = 0;
  #samples: { logRate: number; logSeq: number; arm: number }[] = [];
  #moves = 0;
  #slowInRow = 0;
  /** Factor of the next move and the direction of the last one: moves grow while they keep one direction. */
  #step: number;
  #lastDirection = 0;

  constructor(options: AdaptiveBudgetOptions) {
    this.#min = options.min;
    this.#max = options.max;
    this.#maxBatchMs = options.maxBatchMs;
    // Bounds closer than two probe steps leave no room to probe: then hold the middle.
    this.#ratio = Math.min(options.probeRatio ?? 1.25, Math.sqrt(this.#max / this.#min));
    this.#minGain = options.minGain ?? 0.02;
    this.#step = this.#ratio;
    this.#setpoint = this.#clamp(options.initial ?? Math.sqrt(this.#min * this.#max));
  }

  get setpoint(): number {
    return Math.round(this.#setpoint);
  }

  /** Number of setpoint moves so far (up, down or latency cuts). */
  get moves(): number {
    return this.#moves;
  }

  get budget(): number {
    return Math.round(this.#setpoint * this.#ratio ** ARMS[this.#phase % ARMS.length]!);
  }

  observe(sample: BatchSample): void {
    if (sample.runMs > this.#maxBatchMs && sample.paddedTokens > this.#min) {
      // Latency cap first, on the second slow batch in a row (one can be a hiccup of a shared
      // machine): shrink so such a batch would take 80 % of the limit.
      if (++this.#slowInRow >= 2) {
        const scale = (0.8 * this.#maxBatchMs) / sample.runMs;
        this.#lastDirection = 0;
        this.#move(Math.min(this.#setpoint, sample.paddedTokens / this.#ratio) * scale);
      }
      return;
    }
    this.#slowInRow = 0;
    // Samples packed before the last move, or limited by the queue, are not evidence.
    if (!sample.full || sample.budget !== this.budget || sample.runMs <= 0 || sample.realTokens <= 0) return;
    this.#samples.push({
      logRate: Math.log(sample.realTokens / sample.runMs),
      logSeq: Math.log(sample.seq),
      arm: ARMS[this.#phase % ARMS.length]!,
    });
    this.#phase++;
    if (this.#samples.length % LOOK_EVERY !== 0) return;
    const { gain, stderr } = probeGain(this.#samples);
    if (gain > this.#minGain && gain > Z * stderr) this.#climb(1);
    else if (gain < -this.#minGain && -gain > Z * stderr) this.#climb(-1);
    else if (this.#samples.length >= MAX_SAMPLES) {
      // No side won: this is the top for now; the next move, whenever it comes, starts small.
      this.#lastDirection = 0;
      this.#restart();
    }
  }

  /** One hill-climbing move; a second move the same way is larger (up to ratio³), a reversal starts small again. */
  #climb(direction: 1 | -1): void {
    this.#step =
      direction === this.#lastDirection ? Math.min(this.#step * this.#ratio, this.#ratio ** 3) : this.#ratio;
    this.#lastDirection = direction;
    this.#move(this.#setpoint * this.#step ** direction);
  }

  #move(to: number): void {
    this.#slowInRow = 0;
    const next = this.#clamp(to);
    if (next !== this.#setpoint) this.#moves++;
    this.#setpoint = next;
    this.#restart();
  }

  #restart(): void {
    this.#phase = 0;
    this.#samples = [];
  }

  /** Keeps both probes within [min, max]. */
  #clamp(value: number): number {
    return Math.min(this.#max / this.#ratio, Math.max(this.#min * this.#ratio, value));
  }
}

/**
 * Least squares of log rate on centred log seq and probe side (±1): the log-rate difference between
 * the upper and the lower probe at equal width, with its standard error.
 */
export function probeGain(samples: readonly { logRate: number; logSeq: number; arm: number }[]): {
  gain: number;
  stderr: number;
} {
  const n = samples.length;
  const mean = (f: (s: (typeof samples)[number]) => number) => samples.reduce((a, s) => a + f(s), 0) / n;
  const my = mean((s) => s.logRate);
  const mx = mean((s) => s.logSeq);
  const ma = mean((s) => s.arm);
  let sxx = 0;
  let sxa = 0;
  let saa = 0;
  let sxy = 0;
  let say = 0;
  for (const s of samples) {
    const x = s.logSeq - mx;
    const a = s.arm - ma;
    const y = s.logRate - my;
    sxx += x * x;
    sxa += x * a;
    saa += a * a;
    sxy += x * y;
    say += a * y;
  }
  // A tiny ridge keeps the fit defined when every batch had the same width.
  sxx += 1e-9;
  const det = sxx * saa - sxa * sxa;
  if (det <= 0 || n < 4) return { gain: 0, stderr: Number.POSITIVE_INFINITY };
  const beta = (saa * sxy - sxa * say) / det;
  const gamma = (sxx * say - sxa * sxy) / det;
  let rss = 0;
  for (const s of samples) {
    const r = s.logRate - my - beta * (s.logSeq - mx) - gamma * (s.arm - ma);
    rss += r * r;
  }
  const variance = rss / Math.max(1, n - 3);
  // The arms are ±1, so the difference between them is twice the coefficient.
  return { gain: 2 * gamma, stderr: 2 * Math.sqrt((variance * sxx) / det) };
}
