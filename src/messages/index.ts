export * from './errors.ts';
export * from './document-message.ts';
export * from './query-message.ts';
export * from './query-result.ts';
export { describeIssues } from './describe-issues.ts';
export * from './jsonl-file.ts';
export * from './query-file.ts';
