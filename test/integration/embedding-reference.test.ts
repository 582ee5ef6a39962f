import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { createEmbedder, EmptyTextError, type Embedder } from '../../src/embedding/index.ts';

/** Produced with sentence-transformers on the same weights (see the fixture's `source` and `implementation`). */
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/embeddings/reference.json');

interface ReferenceItem {
  kind: string;
  text: string;
  token_ids: number[];
  embedding: number[];
}

const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as {
  dimensions: number;
  max_seq_length: number;
  items: ReferenceItem[];
};
const blank = (t: string) => t.trim() === '';
const items = fixture.items.filter((i) => !blank(i.text));

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

describe.each([
  { precision: 'fp32' as const, minCosine: 0.9999, batchInvariance: 0.99999 },
  // Dynamic quantization scales activations per batch, so an int8 vector shifts a little with its batch mates.
  { precision: 'int8' as const, minCosine: 0.99, batchInvariance: 0.99 },
])('embeddings against sentence-transformers ($precision)', ({ precision, minCosine, batchInvariance }) => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await createEmbedder(
      loadConfig({ EMBED_PRECISION: precision, EMBED_MAX_TOKENS: String(fixture.max_seq_length) }),
    );
  });
  afterAll(() => embedder?.close());

  it('when the fixture covers short, long, unicode, emoji and code texts, then it has at least 20 of them', () => {
    expect(items.length).toBeGreaterThanOrEqual(20);
    expect(items.some((i) => i.token_ids.length === fixture.max_seq_length)).toBe(true);
  });

  it('when each text is tokenized, then its ids equal the reference ids', async () => {
    const ids = await embedder.tokenizer.encodeForModel(items.map((i) => i.text));
    items.forEach((item, i) => expect(ids[i], item.kind).toEqual(item.token_ids));
  });

  it(`when the texts are embedded in one call, then every vector has cosine >= ${minCosine} with the reference`, async () => {
    const vectors = await embedder.embedDocuments(items.map((i) => i.text));
    items.forEach((item, i) => {
      expect(vectors[i]!.length).toBe(fixture.dimensions);
      expect(cosine(vectors[i]!, item.embedding), item.kind).toBeGreaterThanOrEqual(minCosine);
    });
  });

  it(`when texts are embedded one by one on the query lane, then they match the batched vectors (cosine > ${batchInvariance})`, async () => {
    const batched = await embedder.embedDocuments(items.map((i) => i.text));
    for (const [i, item] of items.entries()) {
      const alone = await embedder.embedQuery(item.text);
      expect(cosine(alone, batched[i]!), item.kind).toBeGreaterThan(batchInvariance);
      expect(cosine(alone, item.embedding), item.kind).toBeGreaterThanOrEqual(minCosine);
    }
  });

  it('when a text is empty or whitespace only, then it is refused with a typed error instead of a vector', async () => {
    const blanks = fixture.items.filter((i) => blank(i.text)).map((i) => i.text);
    expect(blanks.length).toBeGreaterThan(0);
    const outcomes = await embedder.embedDocumentsSettled(['A man is eating food.', ...blanks]);
    expect(outcomes[0]!.ok).toBe(true);
    for (const o of outcomes.slice(1)) expect(o.ok ? o.vector : o.error).toBeInstanceOf(EmptyTextError);
  });
});
