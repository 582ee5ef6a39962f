/** Anything with a token count; batches are padded to their longest member. */
export interface Sized {
  readonly tokens: number;
}

/** How pending texts are cut into batches. */
export type BatchPolicy =
  /** Sort by length and pack up to a padded-token budget chosen by the budget controller. */
  | { kind: 'token-budget' }
  /** Fixed number of texts per batch in arrival order (the naive baseline). */
  | { kind: 'fixed-count'; size: number };

/** Padded tokens of a batch: every row is padded to the longest one. */
export function paddedTokens(batch: readonly Sized[]): number {
  let max = 0;
  for (const item of batch) max = Math.max(max, item.tokens);
  return max * batch.length;
}

/** Real (unpadded) tokens of a batch. */
export function realTokens(batch: readonly Sized[]): number {
  let sum = 0;
  for (const item of batch) sum += item.tokens;
  return sum;
}

/**
 * How many texts from the front of `sortedDesc` (longest first) fit in one batch of `budget` padded
 * tokens: the first text sets the width, so that is count × first length. At least one, so a text
 * longer than the budget still goes (alone).
 */
export function budgetPrefixLength(sortedDesc: readonly Sized[], budget: number): number {
  const first = sortedDesc[0];
  if (!first) return 0;
  return Math.min(sortedDesc.length, Math.max(1, Math.floor(budget / Math.max(1, first.tokens))));
}

/**
 * Sorts `items` longest first and cuts them into runs whose padded size (count × longest) stays within
 * `budget`. Neighbours in length order pad each other little.
 */
export function packByTokenBudget<T extends Sized>(items: readonly T[], budget: number): T[][] {
  const rest = [...items].sort((a, b) => b.tokens - a.tokens);
  const batches: T[][] = [];
  while (rest.length > 0) batches.push(rest.splice(0, budgetPrefixLength(rest, budget)));
  return batches;
}

/** Cuts `items` into batches of `size` in arrival order. */
export function packByCount<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
