import { z } from 'zod';
import type { SearchAnswer, SearchError } from '../../workflows/contracts.ts';
import { describeIssues } from './describe-issues.ts';
import { InvalidMessageError, type ParseResult } from './errors.ts';
import { parseJsonObject } from './json-value.ts';

const hitSchema = z.object({
  id: z.string(),
  score: z.number(),
  title: z.string().optional(),
  snippet: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const answerSchema = z.object({ requestId: z.string(), hits: z.array(hitSchema), tookMs: z.number() });
const errorSchema = z.object({ requestId: z.string(), error: z.string() });

/** One message of `query-results`: the hits for a request, or why it could not be answered. */
export type QueryResult = SearchAnswer | SearchError;

export function isSearchError(result: QueryResult): result is SearchError {
  return 'error' in result;
}

/** A `query-results` message as published: keyed by requestId so all answers to one asker stay ordered. */
export function encodeQueryResult(result: QueryResult): { key: string; value: string } {
  return { key: result.requestId, value: JSON.stringify(result) };
}

/** Reads one `query-results` message (the `query` command's side of the topic). */
export function parseQueryResult(value: Buffer | string | null): ParseResult<QueryResult> {
  if (value === null)
    return { ok: false, error: new InvalidMessageError('InvalidQuery', 'answer has no value') };
  const json = parseJsonObject(value);
  if (!json.ok) return json;
  const schema = 'error' in json.value ? errorSchema : answerSchema;
  const parsed = schema.safeParse(json.value);
  if (!parsed.success)
    return { ok: false, error: new InvalidMessageError('InvalidQuery', describeIssues(parsed.error.issues)) };
  return { ok: true, value: parsed.data };
}
