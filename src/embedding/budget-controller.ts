/** What one completed batch tells the controller. */
export interface BatchSample {
  /** The budget the batch was packed with. */
  budget: number;
  realTokens: number;
  paddedTokens: number;
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
  /** Where to start; the geometric middle of the bounds if absent. */
  initial?: number;
  /** Longest a single batch may run; above it the budget is cut at once. */
  maxBatchMs: number;
  /** Ratio between the two probe budgets and the setpoint (e.g. 1.25: probe at ×1.25 and ÷1.25). */
  probeRatio?: number;
  /** Smallest throughput difference (log ratio) treated as real rather than noise. */
  deadband?: number;
}

/**
 * Hill-climbing on real tokens per second, with a latency cap.
 *
 * Throughput depends on sequence length as much as on the budget, and batches arrive longest first,
 * so comparing one batch with the next mixes the two. The controller therefore probes in ABBA order
 * (above, below, below, above the setpoint): over one cycle a linear drift in length cancels, and
 * what remains is the effect of the budget. Each cycle moves the setpoint one probe step towards the
 * faster side, or leaves it if the difference is within the noise deadband. A batch slower than
 * `maxBatchMs` cuts the setpoint in proportion at once (multiplicative decrease), because long
 * batches delay queries sharing the session and hold memory.
 */
export class AdaptiveBudget implements BudgetController {
  readonly #min: number;
  readonly #max: number;
  readonly #maxBatchMs: number;
  readonly #ratio: number;
  readonly #deadband: number;
  #setpoint: number;
  /** Position in the ABBA cycle, and log throughput seen at each position. */
  #phase = 0;
  readonly #logRate: number[] = [];
  #moves = 0;

  constructor(options: AdaptiveBudgetOptions) {
    this.#min = options.min;
    this.#max = options.max;
    this.#maxBatchMs = options.maxBatchMs;
    // Bounds closer than two probe steps leave no room to probe: then hold the middle.
    this.#ratio = Math.min(options.probeRatio ?? 1.25, Math.sqrt(this.#max / this.#min));
    this.#deadband = options.deadband ?? 0.01;
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
    return Math.round(this.#setpoint * (this.#probeUp() ? this.#ratio : 1 / this.#ratio));
  }

  observe(sample: BatchSample): void {
    if (sample.runMs > this.#maxBatchMs && sample.paddedTokens > this.#min) {
      // Latency cap first: shrink so the batch would have taken 80 % of the limit.
      const scale = (0.8 * this.#maxBatchMs) / sample.runMs;
      this.#move(Math.min(this.#setpoint, sample.paddedTokens / this.#ratio) * scale);
      return;
    }
    // Samples from another budget (packed before the last move) or limited by the queue are not evidence.
    if (!sample.full || sample.budget !== this.budget || sample.runMs <= 0) return;
    this.#logRate[this.#phase] = Math.log(sample.realTokens / sample.runMs);
    this.#phase++;
    if (this.#phase < 4) return;
    const [a1 = 0, b1 = 0, b2 = 0, a2 = 0] = this.#logRate;
    const gain = (a1 + a2 - b1 - b2) / 2;
    if (gain > this.#deadband) this.#move(this.#setpoint * this.#ratio);
    else if (gain < -this.#deadband) this.#move(this.#setpoint / this.#ratio);
    else this.#restart();
  }

  #probeUp(): boolean {
    return this.#phase === 0 || this.#phase === 3;
  }

  #move(to: number): void {
    const next = this.#clamp(to);
    if (next !== this.#setpoint) this.#moves++;
    this.#setpoint = next;
    this.#restart();
  }

  #restart(): void {
    this.#phase = 0;
    this.#logRate.length = 0;
  }

  /** Keeps both probes within [min, max]. */
  #clamp(value: number): number {
    return Math.min(this.#max / this.#ratio, Math.max(this.#min * this.#ratio, value));
  }
}
