import { InvalidMessageError, type ParseResult } from './errors.ts';

const PREVIEW_CHARS = 80;

/** The start of a value for an error message: enough to recognise it, never the whole payload. */
export function preview(text: string): string {
  return text.length <= PREVIEW_CHARS ? text : `${text.slice(0, PREVIEW_CHARS)}…`;
}

/** Decodes a message value as one JSON object (arrays, strings and numbers are refused). */
export function parseJsonObject(value: Buffer | string): ParseResult<Record<string, unknown>> {
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      error: new InvalidMessageError('MalformedJson', `value is not valid JSON (${why}): ${preview(text)}`),
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    return {
      ok: false,
      error: new InvalidMessageError(
        'MalformedJson',
        `value must be a JSON object, got ${kind}: ${preview(text)}`,
      ),
    };
  }
  return { ok: true, value: parsed as Record<string, unknown> };
}
