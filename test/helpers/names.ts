import { randomBytes } from 'node:crypto';

/** A name no other test run uses: topics, collections and task queues never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
