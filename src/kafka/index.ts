export * from './client.ts';
export * from './producer.ts';
export * from './dead-letter.ts';
export * from './activity-publisher.ts';
export * from './topics.ts';
export * from './errors.ts';
export * from './logger.ts';
export { filterKafkajsTimeoutWarnings } from './timeout-warning-filter.ts';
export * from './publish-documents.ts';
