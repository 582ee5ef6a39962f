import { createHash } from 'node:crypto';

/**
 * Runs of the characters BERT's normalizer turns into a space (space, tab, CR, LF and the Unicode
 * spaces that are not control characters). Control characters such as \v are deleted by BERT rather
 * than spaced, so they are deliberately left out: folding them would make different inputs collide.
 */
const BERT_WHITESPACE = /[ \t\n\r\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/g;

/**
 * The text as the model sees it for whitespace: the pre-tokenizer splits on whitespace, so how much
 * of it separates two words, or surrounds the text, never changes the token ids.
 */
export function normalizeForDedup(text: string): string {
  return text.replace(BERT_WHITESPACE, ' ').trim();
}

/** Dedup key of a text: sha256 of its normalized form, so equal texts share one embedding. */
export function contentKey(text: string): string {
  return createHash('sha256').update(normalizeForDedup(text)).digest('base64');
}
