import { describe, expect, it } from 'vitest';
import { contentKey, normalizeForDedup } from '../../../src/embedding/content-hash.ts';

describe('contentKey', () => {
  it('when texts differ only in whitespace the tokenizer ignores, then they share a key', () => {
    const key = contentKey('A man is eating food.');
    expect(contentKey('  A man\tis\n\neating food.  ')).toBe(key);
    expect(contentKey('A\u00A0man is\u3000eating food.')).toBe(key);
  });

  it('when texts differ in words, case or punctuation, then their keys differ', () => {
    const key = contentKey('A man is eating food.');
    expect(contentKey('A man is eating food')).not.toBe(key);
    expect(contentKey('A man is eating bread.')).not.toBe(key);
    expect(contentKey('a man is eating food.')).not.toBe(key);
  });

  it('when a control character separates words, then it is not folded into a space', () => {
    // BERT deletes \v rather than spacing it, so "a\vb" reads "ab", not "a b".
    expect(normalizeForDedup('a\u000Bb')).toBe('a\u000Bb');
    expect(contentKey('a\u000Bb')).not.toBe(contentKey('a b'));
  });
});
