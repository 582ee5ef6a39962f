import type { ActivityDeps } from './deps.ts';
import { createIngestActivities } from './ingest-activities.ts';
import { createSearchActivities } from './search-activities.ts';

/** All activities of a worker, closed over the dependencies built once per process. */
export function createActivities(deps: ActivityDeps) {
  return { ...createIngestActivities(deps), ...createSearchActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
