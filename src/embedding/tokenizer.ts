import { Tokenizer } from '@anush008/tokenizers';

/** Word pieces of a text without special tokens, with the UTF-16 span each came from. */
export interface WordPieces {
  ids: number[];
  /** `[start, end)` in UTF-16 code units, so `text.slice(start, end)` is the piece's source. */
  offsets: [number, number][];
}

export interface TokenizerOptions {
  /** Word pieces per model input at most, [CLS] and [SEP] included. */
  maxTokens: number;
}

const SEP_ID = 102;
/**
 * Texts longer than this many characters per allowed token are first tokenized on a prefix: a word
 * piece spans at least one character, so a long enough prefix that already yields `maxTokens` pieces
 * gives exactly the pieces the whole text would, without tokenizing megabytes that are cut anyway.
 */
const PREFIX_CHARS_PER_TOKEN = 16;

/**
 * The all-MiniLM-L6-v2 WordPiece tokenizer (HF tokenizers, Rust). tokenizer.json embeds truncation
 * and padding at 128, which would silently cut texts and pad every input: both are switched off here,
 * truncation is done on ids (keeping [SEP] last, as sentence-transformers does) and padding per batch.
 */
export class TextTokenizer {
  readonly maxTokens: number;
  readonly #tokenizer: Tokenizer;

  constructor(tokenizer: Tokenizer, options: TokenizerOptions) {
    tokenizer.disableTruncation();
    tokenizer.disablePadding();
    this.#tokenizer = tokenizer;
    this.maxTokens = options.maxTokens;
  }

  /** Word pieces of `text` without [CLS]/[SEP] and without truncation; for token-aware chunking. */
  async encodeWithOffsets(text: string): Promise<WordPieces> {
    const enc = await this.#tokenizer.encode(text, null, { addSpecialTokens: false });
    const toUtf16 = codePointToUtf16(text);
    const offsets = enc.getOffsets().map(([s = 0, e = 0]): [number, number] => [toUtf16(s), toUtf16(e)]);
    return { ids: enc.getIds(), offsets };
  }

  /** Number of word pieces of `text`, special tokens not counted. */
  async countTokens(text: string): Promise<number> {
    const enc = await this.#tokenizer.encode(text, null, { addSpecialTokens: false });
    return enc.getLength();
  }

  /** Model inputs: [CLS] pieces… [SEP], at most `maxTokens` ids with [SEP] kept last. */
  async encodeForModel(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const inputs = texts.map((t) => longTextPrefix(t, this.maxTokens));
    const encodings = await this.#tokenizer.encodeBatch(inputs);
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i++) {
      let ids = encodings[i]!.getIds();
      if (inputs[i] !== texts[i] && ids.length < this.maxTokens) {
        // The prefix was too short to fill the window: only the whole text gives the right pieces.
        ids = (await this.#tokenizer.encode(texts[i]!)).getIds();
      }
      out.push(truncateKeepingSep(ids, this.maxTokens));
    }
    return out;
  }
}

/** Loads tokenizer.json (e.g. from the model cache) with truncation and padding switched off. */
export function loadTokenizer(tokenizerPath: string, options: TokenizerOptions): TextTokenizer {
  return new TextTokenizer(Tokenizer.fromFile(tokenizerPath), options);
}

/** Cuts `ids` (which end with [SEP]) to `max` ids, the last one being [SEP]. */
export function truncateKeepingSep(ids: number[], max: number): number[] {
  if (ids.length <= max) return ids;
  const cut = ids.slice(0, max - 1);
  cut.push(SEP_ID);
  return cut;
}

/** A prefix of a very long text ending at whitespace, or the text itself. */
function longTextPrefix(text: string, maxTokens: number): string {
  const limit = maxTokens * PREFIX_CHARS_PER_TOKEN;
  if (text.length <= limit) return text;
  // Cutting at whitespace keeps every word before the cut whole, so its pieces do not change.
  const cut = Math.max(text.lastIndexOf(' ', limit), text.lastIndexOf('\n', limit));
  return cut > 0 ? text.slice(0, cut) : text;
}

/**
 * The Rust tokenizer reports offsets in Unicode code points; JavaScript strings index UTF-16 code
 * units, which differ after the first character outside the BMP (emoji, rare CJK).
 */
function codePointToUtf16(text: string): (cp: number) => number {
  if (!/[\uD800-\uDFFF]/.test(text)) return (cp) => cp;
  const map: number[] = [];
  let unit = 0;
  for (const ch of text) {
    map.push(unit);
    unit += ch.length;
  }
  map.push(unit);
  return (cp) => map[cp] ?? unit;
}
