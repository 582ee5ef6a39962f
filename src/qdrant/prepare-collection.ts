import { beforeDeadline } from '../service/deadline.ts';
import { DimensionMismatchError } from './store-errors.ts';
import type { VectorStore } from './vector-store.ts';

/** How long a worker's start waits for Qdrant before it leaves the collection to the first ingest. */
export const PREPARE_WAIT_MS = 5000;

/**
 * Makes a worker's default collection ready as the worker starts, so its first ingest goes straight
 * to embedding. A collection whose vectors do not fit the model stops the start, with the reason and
 * what to do. Qdrant out of reach, failing or slow only warns: the first ingest makes the collection
 * ready then (ensureCollection is memoized, and forgets a failure).
 */
export async function prepareCollection(
  store: Pick<VectorStore, 'ensureCollection'>,
  name: string,
  options: { waitMs?: number; warn?: (msg: string) => void } = {},
): Promise<void> {
  const waitMs = options.waitMs ?? PREPARE_WAIT_MS;
  const warn = options.warn ?? ((msg: string) => console.warn(msg));
  // A failure after the wait is given up is the first ingest's to report (the race has handled it).
  const ensured = store.ensureCollection(name).then(() => true as const);
  try {
    if (!(await beforeDeadline(ensured, waitMs, false)))
      warn(
        `Qdrant did not answer within ${waitMs / 1000} s: the collection "${name}" is made ready by the first ingest`,
      );
  } catch (err) {
    if (err instanceof DimensionMismatchError) throw err;
    warn(
      `could not make the collection "${name}" ready (${err instanceof Error ? err.message : String(err)}); the first ingest tries again`,
    );
  }
}
