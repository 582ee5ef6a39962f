import fs from 'node:fs';

/** A small, fast, seedable PRNG (mulberry32): the corpus must be identical on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box–Muller). */
function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A deterministic mixed-length corpus cut from NFCorpus abstracts: word windows whose lengths follow a
 * log-normal law (many short texts, a long tail, some past the 256-token window), in arrival order, as
 * a stream of chunks and queries would be. About 65 tokens per text on average.
 */
export function buildCorpus(corpusPath: string, count: number, seed = 20240611): string[] {
  const docs = fs
    .readFileSync(corpusPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => {
      const d = JSON.parse(l) as { title?: string; text?: string };
      return `${d.title ?? ''}. ${d.text ?? ''}`.split(/\s+/).filter(Boolean);
    })
    .filter((words) => words.length >= 8);
  const random = seededRandom(seed);
  const texts: string[] = [];
  while (texts.length < count) {
    const words = docs[Math.floor(random() * docs.length)]!;
    const want = Math.max(2, Math.round(Math.exp(3.33 + 0.95 * normal(random))));
    const len = Math.min(want, words.length);
    const start = Math.floor(random() * (words.length - len + 1));
    texts.push(words.slice(start, start + len).join(' '));
  }
  return texts;
}
