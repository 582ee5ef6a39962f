import { readJsonLines } from './jsonl-file.ts';
import { parseQueryMessage, type QueryMessage } from './query-message.ts';
import { isSearchError, type QueryResult } from './query-result.ts';

/** A query read from a file: the id the file knows it by, and the message to publish. */
export interface QueryFileEntry {
  /** The line's `_id`, `requestId` or `id`, else `line-<n>`. */
  id: string;
  message: QueryMessage;
}

/**
 * Reads a JSON-lines query file (BEIR query lines included). Each query gets a request id of this
 * run, `<runId>-<n>`: search workflow ids are never reused, so asking the same file twice must not
 * reuse them either; answers are matched back to the file's own ids. `topK`, when given, applies to
 * lines that name none. Lines that are not valid queries come back in `invalid` as `file:line: why`.
 */
export async function readQueryFile(
  file: string,
  runId: string,
  topK: number | undefined,
): Promise<{ queries: QueryFileEntry[]; invalid: string[] }> {
  const queries: QueryFileEntry[] = [];
  const invalid: string[] = [];
  for await (const line of readJsonLines(file)) {
    let json: unknown;
    try {
      json = JSON.parse(line.text);
    } catch {
      invalid.push(`${file}:${line.lineNumber}: not valid JSON`);
      continue;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      invalid.push(`${file}:${line.lineNumber}: not a JSON object`);
      continue;
    }
    const fields = json as Record<string, unknown>;
    const requestId = `${runId}-${queries.length}`;
    const parsed = parseQueryMessage(
      JSON.stringify({ ...fields, _id: undefined, requestId, topK: fields.topK ?? topK }),
    );
    if (!parsed.ok) {
      invalid.push(`${file}:${line.lineNumber}: ${parsed.error.message}`);
      continue;
    }
    const own = fields._id ?? fields.requestId ?? fields.id;
    const id = typeof own === 'string' || typeof own === 'number' ? String(own) : `line-${line.lineNumber}`;
    queries.push({ id, message: parsed.value });
  }
  return { queries, invalid };
}

/** One line of a results file: `{id, hits: [{id, score}]}`, or `{id, hits: [], error}` for a failed query. */
export function resultLine(
  id: string,
  result: QueryResult,
): { id: string; hits: { id: string; score: number }[]; error?: string } {
  return isSearchError(result)
    ? { id, hits: [], error: result.error }
    : { id, hits: result.hits.map((h) => ({ id: h.id, score: h.score })) };
}
