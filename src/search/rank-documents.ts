import type { ScoredChunk } from '../qdrant/index.ts';
import type { SearchHit } from '../../workflows/contracts.ts';

/** A document's best chunk among the candidates. */
export interface DocumentCandidate {
  hit: SearchHit;
  vector?: number[];
}

const SNIPPET_CHARS = 240;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS - 1)}…` : flat;
}

/**
 * Collapses chunk hits into document hits, each scored by its best chunk, best first.
 * Qdrant returns chunks sorted by score, so the first chunk seen of a document is its best.
 */
export function groupByDocument(chunks: readonly ScoredChunk[]): DocumentCandidate[] {
  const seen = new Map<string, DocumentCandidate>();
  for (const c of chunks) {
    const id = c.payload.doc_id;
    if (seen.has(id)) continue;
    seen.set(id, {
      hit: {
        id,
        score: c.score,
        ...(c.payload.title ? { title: c.payload.title } : {}),
        snippet: snippet(c.payload.text),
        ...(c.payload.metadata ? { metadata: c.payload.metadata } : {}),
      },
      ...(c.vector ? { vector: c.vector } : {}),
    });
  }
  return [...seen.values()].sort((a, b) => b.hit.score - a.hit.score);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Maximal marginal relevance: picks `k` candidates, each maximising
 * `lambda · relevance − (1 − lambda) · max similarity to those already picked`. Vectors are
 * L2-normalised, so similarity is a dot product. Candidates without a vector keep their order.
 */
export function mmrRerank(
  candidates: readonly DocumentCandidate[],
  k: number,
  lambda = 0.7,
): DocumentCandidate[] {
  if (candidates.some((c) => !c.vector)) return candidates.slice(0, k);
  const pool = [...candidates];
  const picked: DocumentCandidate[] = [];
  while (picked.length < k && pool.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    pool.forEach((c, i) => {
      const redundancy = picked.length === 0 ? 0 : Math.max(...picked.map((p) => dot(c.vector!, p.vector!)));
      const value = lambda * c.hit.score - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    });
    picked.push(pool.splice(bestIndex, 1)[0]!);
  }
  return picked;
}
