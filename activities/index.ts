export { createActivities, type Activities } from './create-activities.ts';
export type { ActivityDeps, ActivityEmbedder, ActivityPublisher } from './deps.ts';
export { NON_RETRYABLE_TYPES, toFailure } from './failures.ts';
