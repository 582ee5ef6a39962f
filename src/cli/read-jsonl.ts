import { createReadStream, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from './command.ts';

export interface JsonlLine {
  file: string;
  line: number;
  text: string;
}

/** The .jsonl files a path names: the file itself, or every .jsonl file in a directory (sorted). */
export async function jsonlFiles(target: string): Promise<string[]> {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new UsageError(`${target} does not exist. Give a .jsonl file or a directory of them.`);
  }
  if (!stat.isDirectory()) return [target];
  const files = (await readdir(target)).filter((f) => f.endsWith('.jsonl')).sort();
  if (files.length === 0) throw new UsageError(`${target} holds no .jsonl files.`);
  return files.map((f) => path.join(target, f));
}

/** Non-empty lines of JSONL files, streamed, with where each came from. */
export async function* readJsonlLines(files: readonly string[]): AsyncGenerator<JsonlLine> {
  for (const file of files) {
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      line += 1;
      if (text.trim() !== '') yield { file, line, text };
    }
  }
}
