import { describe, expect, it } from 'vitest';
import { chunkPieces } from '../../../src/chunking/token-chunker.ts';
import type { WordPieces } from '../../../src/embedding/tokenizer.ts';

/** A fake tokenizer: every whitespace-separated word is one piece. */
function words(text: string): WordPieces {
  const offsets: [number, number][] = [];
  for (const m of text.matchAll(/\S+/g)) offsets.push([m.index, m.index + m[0].length]);
  return { ids: offsets.map((_, i) => i), offsets };
}

const text = Array.from({ length: 25 }, (_, i) => `w${i}`).join(' ');

describe('token chunker', () => {
  it('when a text fits one chunk, then it is one chunk', () => {
    const chunks = chunkPieces('  short text  ', words('  short text  '), { chunkTokens: 10, overlap: 2 });
    expect(chunks).toEqual([{ index: 0, text: 'short text', tokens: 2 }]);
  });

  it('when a text is longer, then windows of the size share the overlap and cover every piece', () => {
    const chunks = chunkPieces(text, words(text), { chunkTokens: 10, overlap: 3 });
    expect(chunks.map((c) => c.text.split(' ')[0])).toEqual(['w0', 'w7', 'w14', 'w21']);
    expect(chunks.every((c) => c.tokens <= 10)).toBe(true);
    expect(chunks.at(-1)!.text.endsWith('w24')).toBe(true);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it('when a sentence ends near the end of a window, then the window ends there', () => {
    const t = 'a b c d e f g h i. j k l m n o p';
    const chunks = chunkPieces(t, words(t), { chunkTokens: 10, overlap: 0 });
    expect(chunks[0]!.text).toBe('a b c d e f g h i.');
    expect(chunks[1]!.text.startsWith('j')).toBe(true);
  });

  it('when a text has no pieces, then there are no chunks', () => {
    expect(chunkPieces('   ', words('   '), { chunkTokens: 10, overlap: 2 })).toEqual([]);
  });
});
