import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** One non-blank line of a JSON-lines file, with its 1-based line number for error messages. */
export interface JsonLine {
  text: string;
  lineNumber: number;
}

/** Streams the non-blank lines of a JSON-lines file, so files larger than memory work. */
export async function* readJsonLines(file: string): AsyncGenerator<JsonLine> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() !== '') yield { text, lineNumber };
  }
}

/** Counts the non-blank lines (for a progress bar's total) in one quick pass. */
export async function countJsonLines(file: string): Promise<number> {
  let count = 0;
  for await (const _ of readJsonLines(file)) count += 1;
  return count;
}

/**
 * The files `publish` reads for a path: the file itself; for a directory, its `corpus.jsonl` when
 * it has one (a BEIR dataset, whose queries.jsonl must not be published as documents), else every
 * `*.jsonl` in it, in name order.
 */
export async function documentFiles(target: string): Promise<string[]> {
  const info = await stat(target);
  if (!info.isDirectory()) return [target];
  const names = (await readdir(target)).sort();
  if (names.includes('corpus.jsonl')) return [path.join(target, 'corpus.jsonl')];
  return names.filter((n) => n.endsWith('.jsonl')).map((n) => path.join(target, n));
}
