import type { z } from 'zod';

/**
 * One line a person can act on: each problem as `field: what is wrong`, e.g.
 * `text: must not be blank for an upsert; topK: must be an integer from 1 to 1000`.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'message';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
