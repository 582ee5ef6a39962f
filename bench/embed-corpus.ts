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

/** Source documents as word lists: NFCorpus abstracts if the dataset is there, else synthetic prose. */
function sourceDocuments(corpusPath: string, random: () => number): string[][] {
  if (fs.existsSync(corpusPath)) {
    return fs
      .readFileSync(corpusPath, 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => {
        const d = JSON.parse(l) as { title?: string; text?: string };
        return `${d.title ?? ''}. ${d.text ?? ''}`.split(/\s+/).filter(Boolean);
      })
      .filter((words) => words.length >= 8);
  }
  // Biomedical-flavoured filler with a Zipf-like word choice, so a fresh clone without the dataset still runs.
  const vocabulary = SYNTHETIC_WORDS.split(' ');
  const zipf = () =>
    vocabulary[Math.min(vocabulary.length - 1, Math.floor(vocabulary.length * random() ** 2.5))]!;
  return Array.from({ length: 2000 }, () => Array.from({ length: 40 + Math.floor(random() * 300) }, zipf));
}

const SYNTHETIC_WORDS =
  'the of and in to a with for was were patients study risk is that by on as results from cancer diet ' +
  'associated at or an intake be are increased effects between these higher this disease mortality cohort ' +
  'vitamin trial clinical reduced levels dietary compared health p observed cardiovascular among data analysis ' +
  'significantly inflammatory cholesterol randomized meta-analysis consumption blood women men years ratio ' +
  'confidence interval hazard plasma oxidative metabolic supplementation polyphenols glucose insulin obesity';

/**
 * A deterministic mixed-length corpus cut from NFCorpus abstracts: word windows whose lengths follow a
 * log-normal law (many short texts, a long tail, some past the 256-token window), in arrival order, as
 * a stream of chunks and queries would be. About 65 tokens per text on average.
 */
export function buildCorpus(corpusPath: string, count: number, seed = 20240611): string[] {
  const random = seededRandom(seed);
  const docs = sourceDocuments(corpusPath, random);
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
