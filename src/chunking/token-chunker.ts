import type { WordPieces } from '../embedding/tokenizer.ts';

export interface Chunk {
  index: number;
  text: string;
  /** Word pieces in the chunk (special tokens not counted). */
  tokens: number;
}

export interface ChunkingOptions {
  /** Word pieces per chunk, special tokens not counted. */
  chunkTokens: number;
  /** Word pieces shared by consecutive chunks. */
  overlap: number;
}

export interface PieceSource {
  encodeWithOffsets(text: string): Promise<WordPieces>;
}

/**
 * Cuts a text into windows of `chunkTokens` word pieces, consecutive windows sharing `overlap`
 * pieces, each window's text being the source span its pieces came from. A window ends, where it can,
 * at the last sentence or whitespace boundary in its final quarter, so chunks rarely split a word.
 */
export function chunkPieces(text: string, pieces: WordPieces, opts: ChunkingOptions): Chunk[] {
  const { offsets } = pieces;
  const n = offsets.length;
  if (n === 0) return [];
  if (n <= opts.chunkTokens) return [{ index: 0, text: text.trim(), tokens: n }];
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < n) {
    let end = Math.min(start + opts.chunkTokens, n);
    if (end < n) end = preferBoundary(text, offsets, start, end, opts.chunkTokens);
    const from = offsets[start]![0];
    const to = offsets[end - 1]![1];
    chunks.push({ index: chunks.length, text: text.slice(from, to), tokens: end - start });
    if (end >= n) break;
    start = Math.max(end - opts.overlap, start + 1);
  }
  return chunks;
}

/** Moves `end` back to just after a sentence end (or else a word end) found in the window's last quarter. */
function preferBoundary(
  text: string,
  offsets: readonly [number, number][],
  start: number,
  end: number,
  size: number,
): number {
  const floor = Math.max(start + 1, end - Math.floor(size / 4));
  let wordEnd = -1;
  for (let i = end - 1; i >= floor; i--) {
    const next = offsets[i + 1];
    if (!next) continue;
    const gap = text.slice(offsets[i]![1], next[0]);
    if (/[.!?]/.test(text.slice(offsets[i]![0], offsets[i]![1])) && /\s/.test(gap)) return i + 1;
    if (wordEnd < 0 && /\s/.test(gap)) wordEnd = i + 1;
  }
  return wordEnd > 0 ? wordEnd : end;
}

export async function chunkText(source: PieceSource, text: string, opts: ChunkingOptions): Promise<Chunk[]> {
  return chunkPieces(text, await source.encodeWithOffsets(text), opts);
}
