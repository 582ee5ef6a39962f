import { describe, expect, it } from 'vitest';
import { parseDocumentMessage } from '../../src/messages/index.ts';

function reason(value: string | null, key?: string | null): string {
  const r = parseDocumentMessage(value, key);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`);
  return `${r.error.type}: ${r.error.message}`;
}

describe('documents topic messages', () => {
  it('when a document has id and text, then it is an upsert with its optional fields', () => {
    const value = JSON.stringify({
      id: 'a',
      text: 'hello',
      title: 'T',
      metadata: { lang: 'en' },
      collection: 'papers',
      extra: 1,
    });
    expect(parseDocumentMessage(value, 'a')).toEqual({
      ok: true,
      value: {
        id: 'a',
        op: 'upsert',
        text: 'hello',
        title: 'T',
        metadata: { lang: 'en' },
        collection: 'papers',
      },
    });
  });

  it('when a BEIR corpus line comes as it is, then _id is its id and an empty title is dropped', () => {
    const line =
      '{"_id": "MED-10", "title": "", "text": "Statins and breast cancer", "metadata": {"url": "http://x"}}';
    expect(parseDocumentMessage(Buffer.from(line), 'MED-10')).toEqual({
      ok: true,
      value: { id: 'MED-10', op: 'upsert', text: 'Statins and breast cancer', metadata: { url: 'http://x' } },
    });
  });

  it('when a delete carries only its id, then it is valid and keeps nothing but id and collection', () => {
    expect(parseDocumentMessage('{"id": 42, "op": "delete", "text": "ignored", "collection": "c"}')).toEqual({
      ok: true,
      value: { id: '42', op: 'delete', collection: 'c' },
    });
  });

  it('when a message is a tombstone with a key, then it deletes the document named by the key', () => {
    expect(parseDocumentMessage(null, 'doc-7')).toEqual({ ok: true, value: { id: 'doc-7', op: 'delete' } });
    expect(reason(null, null)).toMatch(/^InvalidDocument: message has neither a value nor a key/);
  });

  it('when an upsert has no text or a blank one, then the reason names the field', () => {
    expect(reason('{"id": "a"}')).toBe('InvalidDocument: text: is required for an upsert');
    expect(reason('{"id": "a", "text": "  \\n "}')).toBe(
      'InvalidDocument: text: must not be blank for an upsert',
    );
  });

  it('when several fields are wrong, then every problem is listed', () => {
    const r = reason(JSON.stringify({ text: 3, op: 'merge', metadata: [1], collection: 'a/b' }));
    expect(r).toContain('text: must be a string');
    expect(r).toContain('op: must be "upsert" or "delete"');
    expect(r).toContain('metadata: must be a JSON object');
    expect(r).toContain('collection: must be 1 to 255 letters');
    expect(r).toContain('id: is required (or "_id", as in BEIR corpus files)');
  });

  it('when the value is not a JSON object, then it is refused as malformed with a preview', () => {
    expect(reason('{"id": "a", "text": ')).toMatch(
      /^MalformedJson: value is not valid JSON \(.+\): \{"id": "a", "text": $/,
    );
    expect(reason('["a"]')).toBe('MalformedJson: value must be a JSON object, got an array: ["a"]');
    expect(reason('x'.repeat(200))).toMatch(/x{80}…$/);
  });

  it('when the key differs from the id, then the message is refused because order per document would break', () => {
    expect(reason('{"id": "a", "text": "t"}', 'b')).toMatch(/^KeyMismatch: key "b" differs from id "a"/);
    expect(parseDocumentMessage('{"id": "a", "text": "t"}', null).ok).toBe(true);
  });

  it('when an id is blank or too long, then it is refused; ids are kept exactly as sent', () => {
    expect(reason('{"id": "  ", "text": "t"}')).toBe('InvalidDocument: id: must not be blank');
    expect(reason(JSON.stringify({ id: 'x'.repeat(513), text: 't' }))).toBe(
      'InvalidDocument: id: must be at most 512 characters',
    );
    expect(parseDocumentMessage('{"id": " a ", "text": "t"}', ' a ')).toMatchObject({
      ok: true,
      value: { id: ' a ' },
    });
  });
});
