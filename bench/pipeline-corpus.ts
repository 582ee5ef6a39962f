import fs from 'node:fs';
import path from 'node:path';
import { chunkText } from '../src/chunking/token-chunker.ts';
import type { Config } from '../src/config/index.ts';
import type { PieceSource } from '../src/chunking/token-chunker.ts';
import { parseDocumentMessage } from '../src/messages/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NFCORPUS_DIR = path.resolve(ROOT, '../shared/datasets/nfcorpus');
const EXAMPLES = path.join(ROOT, 'examples');

/** A document as the consumer reads it (the bench publishes exactly this). */
export interface BenchDocument {
  id: string;
  title?: string;
  text: string;
}

export interface BenchCorpus {
  source: string;
  /** Ingested and timed in every repetition. */
  documents: BenchDocument[];
  /** Other documents in batches, ingested one after another while the loaded query latency is measured. */
  load: BenchDocument[][];
  /** Distinct query texts, as many as asked for. */
  queries: string[];
}

function readLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Valid upserts of a JSON-lines corpus, normalised as the consumer normalises them, in file order. */
function documentsOf(file: string): BenchDocument[] {
  const docs: BenchDocument[] = [];
  for (const line of readLines(file)) {
    const parsed = parseDocumentMessage(line);
    if (!parsed.ok || parsed.value.op !== 'upsert') continue;
    const { id, title, text } = parsed.value;
    docs.push({ id, text: text!, ...(title ? { title } : {}) });
  }
  return docs;
}

/**
 * `count` documents from `base`, repeated as often as needed. A copy gets a new id and a marker
 * in its text, so the engine's content-hash cache cannot answer it from the first copy.
 */
function repeated(base: readonly BenchDocument[], count: number, offset: number): BenchDocument[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const doc = base[n % base.length]!;
    const copy = Math.floor(n / base.length);
    return copy === 0 ? doc : { ...doc, id: `${doc.id}~${copy}`, text: `${doc.text} (copy ${copy})` };
  });
}

function queryTexts(file: string, count: number): string[] {
  const base = readLines(file)
    .map((l) => (JSON.parse(l) as { text: string }).text)
    .filter((t) => t.trim() !== '');
  // A repeated text would be answered from the query-embedding cache, so copies differ by a suffix.
  return Array.from({ length: count }, (_, i) => {
    const text = base[i % base.length]!;
    const copy = Math.floor(i / base.length);
    return copy === 0 ? text : `${text} ${copy}`;
  });
}

export interface CorpusSize {
  documents: number;
  loadDocuments: number;
  loadBatches: number;
  queries: number;
}

/**
 * The first documents of BEIR NFCorpus (deterministic: file order) when the shared data set is
 * there, else the sample corpus repeated; the load batches are the documents that follow (copies
 * with a marker once the data set runs out).
 */
export function loadBenchCorpus(size: CorpusSize): BenchCorpus {
  const nfcorpus = path.join(NFCORPUS_DIR, 'corpus.jsonl');
  const found = fs.existsSync(nfcorpus);
  const base = found ? documentsOf(nfcorpus) : documentsOf(path.join(EXAMPLES, 'sample-corpus.jsonl'));
  const load = Array.from({ length: size.loadBatches }, (_, k) =>
    repeated(base, size.loadDocuments, size.documents + k * size.loadDocuments),
  );
  return {
    source: found
      ? `BEIR NFCorpus in file order: the first ${size.documents} documents${size.loadBatches > 0 ? ', then the next ones for the load' : ''}`
      : `examples/sample-corpus.jsonl (${base.length} documents) repeated with changed ids and texts`,
    documents: repeated(base, size.documents, 0),
    load,
    queries: queryTexts(
      found ? path.join(NFCORPUS_DIR, 'queries.jsonl') : path.join(EXAMPLES, 'sample-queries.jsonl'),
      size.queries,
    ),
  };
}

/** The text the ingest activity embeds for a chunk (activities/ingest-activities.ts): the title gives every chunk its topic. */
export function embeddingText(doc: BenchDocument, chunkTextValue: string): string {
  return doc.title ? `${doc.title}\n${chunkTextValue}` : chunkTextValue;
}

/** Chunk texts of `docs` as the ingest activity embeds them, chunked with the configured size and overlap. */
export async function chunkTexts(
  tokenizer: PieceSource,
  docs: readonly BenchDocument[],
  config: Pick<Config, 'chunkTokens' | 'chunkOverlap'>,
): Promise<string[]> {
  const texts: string[] = [];
  for (const doc of docs) {
    const chunks = await chunkText(tokenizer, doc.text, {
      chunkTokens: config.chunkTokens,
      overlap: config.chunkOverlap,
    });
    for (const c of chunks) texts.push(embeddingText(doc, c.text));
  }
  return texts;
}
