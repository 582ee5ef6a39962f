import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Qrels } from './ranking-metrics.ts';

/** Thrown when a dataset file holds a line that cannot be read; the message names the file and line. */
export class DatasetFormatError extends Error {
  override readonly name = 'DatasetFormatError';
}

/** Thrown when a directory holds neither the BEIR layout nor the sample layout of examples/. */
export class DatasetNotFoundError extends Error {
  override readonly name = 'DatasetNotFoundError';
}

export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
  metadata?: Record<string, unknown>;
}

export interface EvalQuery {
  id: string;
  text: string;
}

export interface DatasetFiles {
  /** Short name: the directory's for BEIR datasets (`nfcorpus`), `sample` for examples/. */
  name: string;
  layout: 'beir' | 'sample';
  corpus: string;
  queries: string;
  qrels: string;
}

/**
 * Finds a dataset's files: the BEIR layout (`corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`)
 * or the sample layout of examples/ (`sample-corpus.jsonl`, `sample-queries.jsonl`,
 * `sample-qrels.tsv`, which has a single split).
 */
export function locateDataset(dir: string, split: string): DatasetFiles {
  const beir = {
    corpus: path.join(dir, 'corpus.jsonl'),
    queries: path.join(dir, 'queries.jsonl'),
    qrels: path.join(dir, 'qrels', `${split}.tsv`),
  };
  if (existsSync(beir.corpus)) {
    for (const file of [beir.queries, beir.qrels]) {
      if (!existsSync(file))
        throw new DatasetNotFoundError(
          `${file} is missing: a BEIR dataset needs corpus.jsonl, queries.jsonl and qrels/${split}.tsv.`,
        );
    }
    return { name: path.basename(path.resolve(dir)).toLowerCase(), layout: 'beir', ...beir };
  }
  const sample = {
    corpus: path.join(dir, 'sample-corpus.jsonl'),
    queries: path.join(dir, 'sample-queries.jsonl'),
    qrels: path.join(dir, 'sample-qrels.tsv'),
  };
  if (Object.values(sample).every((f) => existsSync(f)))
    return { name: 'sample', layout: 'sample', ...sample };
  throw new DatasetNotFoundError(
    `${dir} holds no dataset: give a BEIR directory (corpus.jsonl, queries.jsonl, qrels/${split}.tsv) ` +
      'or one with sample-corpus.jsonl, sample-queries.jsonl and sample-qrels.tsv like examples/.',
  );
}

function parseObject(line: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new DatasetFormatError(`${where}: not valid JSON (${(err as Error).message}).`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new DatasetFormatError(`${where}: expected a JSON object.`);
  return value as Record<string, unknown>;
}

function idOf(record: Record<string, unknown>, keys: readonly string[], where: string): string {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  throw new DatasetFormatError(`${where}: needs an id in ${keys.map((k) => `"${k}"`).join(' or ')}.`);
}

/** One corpus line: BEIR's `{_id, title, text, metadata}` or the sample's `{id, title, text, metadata}`. */
export function parseCorpusLine(line: string, where: string): CorpusDocument {
  const record = parseObject(line, where);
  const id = idOf(record, ['_id', 'id'], where);
  const text = typeof record.text === 'string' ? record.text : '';
  const title = typeof record.title === 'string' ? record.title : '';
  const metadata = record.metadata;
  const doc: CorpusDocument = { id, title, text };
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata))
    doc.metadata = metadata as Record<string, unknown>;
  return doc;
}

/** One query line: BEIR's `{_id, text}` or the sample's `{requestId, text, topK?}`. */
export function parseQueryLine(line: string, where: string): EvalQuery {
  const record = parseObject(line, where);
  const id = idOf(record, ['_id', 'requestId'], where);
  if (typeof record.text !== 'string' || record.text.trim() === '')
    throw new DatasetFormatError(`${where}: needs a non-empty "text".`);
  return { id, text: record.text };
}

/**
 * Parses qrels: `query-id<TAB>corpus-id<TAB>score` with an optional header (BEIR), or the
 * four-column TREC form `query-id iteration corpus-id score`. Carriage returns are stripped, since
 * BEIR ships its qrels with CRLF line ends.
 */
export function parseQrels(content: string, file: string): Qrels {
  const qrels = new Map<string, Map<string, number>>();
  let first = true;
  content.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const isFirst = first;
    first = false;
    const cols = line.split(line.includes('\t') ? '\t' : /\s+/).map((c) => c.trim());
    if (cols.length !== 3 && cols.length !== 4) {
      throw new DatasetFormatError(
        `${file}:${index + 1}: expected query-id, corpus-id and score separated by tabs.`,
      );
    }
    const [queryId, docId, grade] =
      cols.length === 3 ? [cols[0]!, cols[1]!, cols[2]!] : [cols[0]!, cols[2]!, cols[3]!];
    const score = Number(grade);
    if (grade === '' || !Number.isFinite(score)) {
      if (isFirst) return; // the header line
      throw new DatasetFormatError(`${file}:${index + 1}: score "${grade}" is not a number.`);
    }
    let judgements = qrels.get(queryId);
    if (!judgements) qrels.set(queryId, (judgements = new Map<string, number>()));
    judgements.set(docId, score);
  });
  return qrels;
}

export async function readQrels(file: string): Promise<Qrels> {
  return parseQrels(await readFile(file, 'utf8'), file);
}

/** Non-empty lines of a file, streamed, with their line numbers. */
async function* lines(file: string): AsyncGenerator<{ line: string; where: string }> {
  let n = 0;
  for await (const raw of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    n++;
    if (raw.trim() !== '') yield { line: raw, where: `${file}:${n}` };
  }
}

/** Streams the corpus, so corpora larger than memory can be evaluated. */
export async function* readCorpus(file: string): AsyncGenerator<CorpusDocument> {
  for await (const { line, where } of lines(file)) yield parseCorpusLine(line, where);
}

export async function readQueries(file: string): Promise<EvalQuery[]> {
  const queries: EvalQuery[] = [];
  for await (const { line, where } of lines(file)) queries.push(parseQueryLine(line, where));
  return queries;
}

/** Non-empty lines of a file, for the progress bar's total. */
export async function countRecords(file: string): Promise<number> {
  let n = 0;
  for await (const _ of lines(file)) n++;
  return n;
}
