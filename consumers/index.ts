export * from './start-consumers.ts';
export type { HealthRegistry, RunningConsumer } from './consumer-runner.ts';
export { documentsGroupId } from './document-consumer.ts';
export { queriesGroupId } from './query-consumer.ts';
export {
  temporalStarter,
  type StartOutcome,
  type WorkflowStarter,
  type WorkflowStartRequest,
} from './workflow-start.ts';
