import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '@anush008/tokenizers';
import { loadConfig } from '../../src/config/index.ts';
import { loadTokenizer, resolveModelFiles } from '../../src/embedding/index.ts';

/** Token ids a reference tokenizer gives for eight sentences (see that folder's PROVENANCE.md). */
const REFERENCE = path.resolve(
  import.meta.dirname,
  '../../../shared/models/all-MiniLM-L6-v2/reference-token-ids.json',
);
const SEP = 102;

interface ReferenceIds {
  sentences: string[];
  input_ids: number[][];
  input_ids_max256: number[][];
}

const reference = JSON.parse(fs.readFileSync(REFERENCE, 'utf8')) as ReferenceIds;
const { tokenizerPath } = resolveModelFiles(loadConfig({}));

describe('tokenizer (the pulled tokenizer.json)', () => {
  it('when nothing is cut, then the ids equal the reference ids exactly', async () => {
    const tok = loadTokenizer(tokenizerPath, { maxTokens: 512 });
    expect(await tok.encodeForModel(reference.sentences)).toEqual(reference.input_ids);
  });

  it('when cut at 256, then the ids equal the reference and [SEP] stays last', async () => {
    const tok = loadTokenizer(tokenizerPath, { maxTokens: 256 });
    const ids = await tok.encodeForModel(reference.sentences);
    reference.input_ids_max256.forEach((expected, i) => {
      const ours = ids[i]!;
      expect(ours.length).toBe(expected.length);
      if (reference.input_ids[i]!.length <= 256) expect(ours).toEqual(expected);
      else {
        // The reference cut drops [SEP] (a transformers.js quirk its notes describe); sentence-transformers keeps it.
        expect(ours.slice(0, 255)).toEqual(expected.slice(0, 255));
        expect(ours[255]).toBe(SEP);
      }
    });
    expect(ids.some((r) => r.length === 256)).toBe(true);
  });

  it('when tokenizer.json asks for truncation and padding at 128, then neither is applied', async () => {
    const tok = loadTokenizer(tokenizerPath, { maxTokens: 512 });
    const [long, short] = await tok.encodeForModel([reference.sentences[7]!, 'a']);
    expect(long!.length).toBe(341);
    expect(short).toEqual([101, 1037, 102]);
  });

  it('when a text is megabytes long, then its ids equal those of tokenizing it whole', async () => {
    const tok = loadTokenizer(tokenizerPath, { maxTokens: 256 });
    const huge = `${reference.sentences[7]!} `.repeat(300);
    const raw = Tokenizer.fromFile(tokenizerPath);
    raw.disableTruncation();
    raw.disablePadding();
    const whole = (await raw.encode(huge)).getIds();
    const [ours] = await tok.encodeForModel([huge]);
    expect(ours).toEqual([...whole.slice(0, 255), SEP]);
    // Many short words: the prefix may be too short and the whole text must be used.
    const shortWords = 'a '.repeat(5000);
    const [ids] = await tok.encodeForModel([shortWords]);
    expect(ids!.length).toBe(256);
  });

  it('when offsets are asked for, then each piece maps back to its source, emoji included', async () => {
    const tok = loadTokenizer(tokenizerPath, { maxTokens: 256 });
    const text = reference.sentences[4]!; // Café déjà vu … 東京 🚀🔥 — emoji & unicode ✓
    const { ids, offsets } = await tok.encodeWithOffsets(text);
    expect(ids).toEqual(reference.input_ids[4]!.slice(1, -1));
    const spans = offsets.map(([s, e]) => text.slice(s, e));
    expect(spans.slice(0, 3)).toEqual(['Café', 'dé', 'jà']);
    // After the two emoji (two UTF-16 units each) the spans still line up.
    expect(spans.slice(-8)).toEqual(['🚀🔥', '—', 'em', 'oj', 'i', '&', 'unicode', '✓']);
    expect(await tok.countTokens(text)).toBe(ids.length);
  });
});
