import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DatasetFormatError,
  DatasetNotFoundError,
  locateDataset,
  parseCorpusLine,
  parseQrels,
  parseQueryLine,
  readCorpus,
  readQrels,
  readQueries,
} from '../../src/eval/beir-dataset.ts';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'embedstream-eval-'));
}

describe('parseQrels', () => {
  it('when the file has a header and CRLF line ends, then the header is skipped and no id keeps a \\r', () => {
    const qrels = parseQrels(
      'query-id\tcorpus-id\tscore\r\nq1\td1\t2\r\nq1\td2\t1\r\nq2\td3\t1\r\n',
      'test.tsv',
    );
    expect([...qrels.keys()]).toEqual(['q1', 'q2']);
    expect(qrels.get('q1')).toEqual(
      new Map([
        ['d1', 2],
        ['d2', 1],
      ]),
    );
    expect(qrels.get('q2')?.get('d3')).toBe(1);
  });

  it('when the file is in the four-column TREC form, then the iteration column is ignored', () => {
    const qrels = parseQrels('q1 0 d1 1\nq1 0 d2 0\n', 'qrels.txt');
    expect(qrels.get('q1')).toEqual(
      new Map([
        ['d1', 1],
        ['d2', 0],
      ]),
    );
  });

  it('when a line after the first has a score that is not a number, then the error names the file and line', () => {
    expect(() => parseQrels('q1\td1\t1\nq1\td2\thigh\n', 'test.tsv')).toThrow(/test\.tsv:2: score "high"/);
  });

  it('when a line has two columns, then it is rejected with its line number', () => {
    expect(() => parseQrels('query-id\tcorpus-id\tscore\n\nq1\td1\n', 'test.tsv')).toThrow(
      DatasetFormatError,
    );
    expect(() => parseQrels('query-id\tcorpus-id\tscore\n\nq1\td1\n', 'test.tsv')).toThrow(/test\.tsv:3:/);
  });
});

describe('corpus and query lines', () => {
  it('when a corpus line uses BEIR\'s "_id", then it is read like the sample\'s "id"', () => {
    expect(
      parseCorpusLine('{"_id":"MED-1","title":"T","text":"body","metadata":{"url":"u"}}', 'c:1'),
    ).toEqual({
      id: 'MED-1',
      title: 'T',
      text: 'body',
      metadata: { url: 'u' },
    });
    expect(parseCorpusLine('{"id":"a","text":"body"}', 'c:1')).toEqual({ id: 'a', title: '', text: 'body' });
  });

  it('when a corpus line has no id, then the error names where it is', () => {
    expect(() => parseCorpusLine('{"text":"body"}', 'corpus.jsonl:7')).toThrow(
      /corpus\.jsonl:7: needs an id/,
    );
    expect(() => parseCorpusLine('{not json', 'corpus.jsonl:8')).toThrow(/corpus\.jsonl:8: not valid JSON/);
  });

  it('when a query line uses "requestId" or "_id", then both give the query id', () => {
    expect(parseQueryLine('{"requestId":"q1","text":"hello","topK":5}', 'q:1')).toEqual({
      id: 'q1',
      text: 'hello',
    });
    expect(parseQueryLine('{"_id":"PLAIN-1","text":"hello","metadata":{}}', 'q:1')).toEqual({
      id: 'PLAIN-1',
      text: 'hello',
    });
    expect(() => parseQueryLine('{"_id":"x","text":"  "}', 'q:3')).toThrow(/q:3: needs a non-empty "text"/);
  });
});

describe('locateDataset', () => {
  it('when a directory has the BEIR layout, then its files and its name are found', () => {
    const dir = path.join(tempDir(), 'NFCorpus');
    mkdirSync(path.join(dir, 'qrels'), { recursive: true });
    for (const f of ['corpus.jsonl', 'queries.jsonl', 'qrels/dev.tsv']) writeFileSync(path.join(dir, f), '');
    const files = locateDataset(dir, 'dev');
    expect(files).toMatchObject({
      name: 'nfcorpus',
      layout: 'beir',
      qrels: path.join(dir, 'qrels', 'dev.tsv'),
    });
  });

  it('when the split has no qrels file, then the error names the missing file', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'qrels'));
    for (const f of ['corpus.jsonl', 'queries.jsonl', 'qrels/dev.tsv']) writeFileSync(path.join(dir, f), '');
    expect(() => locateDataset(dir, 'test')).toThrow(/qrels\/test\.tsv is missing/);
  });

  it('when a directory holds neither layout, then DatasetNotFoundError says what is expected', () => {
    expect(() => locateDataset(tempDir(), 'test')).toThrow(DatasetNotFoundError);
  });

  it('when pointed at examples/, then the sample layout is found', () => {
    const files = locateDataset(path.resolve(import.meta.dirname, '../../examples'), 'test');
    expect(files).toMatchObject({ name: 'sample', layout: 'sample' });
  });
});

describe('the sample dataset in examples/', () => {
  const examples = path.resolve(import.meta.dirname, '../../examples');
  const files = locateDataset(examples, 'test');

  it('when read, then every query has exactly one best document and every judged id exists', async () => {
    const docs = [];
    for await (const d of readCorpus(files.corpus)) docs.push(d);
    const ids = new Set(docs.map((d) => d.id));
    expect(ids.size).toBe(docs.length);
    const queries = await readQueries(files.queries);
    const qrels = await readQrels(files.qrels);
    expect(queries).toHaveLength(24);
    for (const q of queries) {
      const judgements = qrels.get(q.id);
      expect(judgements, q.id).toBeDefined();
      expect(
        [...judgements!.values()].filter((g) => g === 2),
        q.id,
      ).toHaveLength(1);
      for (const docId of judgements!.keys()) expect(ids.has(docId), `${q.id} → ${docId}`).toBe(true);
    }
  });

  it('when read, then it spans twelve topics, three other languages and a few documents long enough to chunk', async () => {
    const docs = [];
    for await (const d of readCorpus(files.corpus)) docs.push(d);
    const topics = new Set(docs.map((d) => d.metadata?.topic));
    const langs = new Set(docs.map((d) => d.metadata?.lang));
    expect(topics.size).toBe(12);
    expect(langs).toEqual(new Set(['en', 'de', 'fr', 'es']));
    expect(docs.filter((d) => d.text.split(/\s+/).length > 400).length).toBeGreaterThanOrEqual(3);
    expect(docs.some((d) => /\p{Extended_Pictographic}/u.test(d.text))).toBe(true);
  });
});

const nfcorpus = path.resolve(import.meta.dirname, '../../../shared/datasets/nfcorpus');

describe.skipIf(!existsSync(path.join(nfcorpus, 'qrels', 'test.tsv')))(
  'NFCorpus as shipped in shared/',
  () => {
    it('when its CRLF qrels are parsed, then the counts match PROVENANCE.md: 323 queries, 12,334 rows, 576 graded 2', async () => {
      const qrels = await readQrels(path.join(nfcorpus, 'qrels', 'test.tsv'));
      const grades = [...qrels.values()].flatMap((j) => [...j.values()]);
      expect(qrels.size).toBe(323);
      expect(grades).toHaveLength(12_334);
      expect(grades.filter((g) => g === 2)).toHaveLength(576);
      expect([...qrels.keys()].every((id) => !id.includes('\r'))).toBe(true);
      expect(readFileSync(path.join(nfcorpus, 'qrels', 'test.tsv'), 'utf8')).toContain('\r\n');
    });
  },
);
