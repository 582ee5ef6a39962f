/** A sub-command of the `embedstream` CLI. */
export interface Command {
  /** Words that select it, e.g. `['model', 'pull']`. */
  path: readonly string[];
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number | void>;
}

/** Thrown for wrong command-line usage; printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
