import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';

/** The Temporal CLI the local stack built; the testing package would otherwise download one. */
export function temporalCliPath(): string {
  const versions = path.resolve(import.meta.dirname, '..', '..', 'infra', 'local', 'versions.env');
  const version = /TEMPORAL_CLI_VERSION=(\S+)/.exec(readFileSync(versions, 'utf8'))?.[1];
  const cache = process.env.EMBEDSTREAM_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'embedstream');
  const cli = path.join(cache, `gobin-temporal-${version}`, 'temporal');
  if (!existsSync(cli))
    throw new Error(`No Temporal CLI at ${cli}: run "npm run stack:up" (it builds it) first.`);
  return cli;
}

/** An ephemeral Temporal server of its own (in memory) for workflow tests. */
export async function createTestEnv(): Promise<TestWorkflowEnvironment> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1' },
  });
}

const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/**
 * Runs `start(taskQueue)` (a workflow started on that task queue) while a worker of the project's
 * workflows with `activities` serves a task queue of its own, and resolves with its result.
 */
export async function runOnTestWorker<T>(
  env: TestWorkflowEnvironment,
  activities: object,
  start: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `test-${Math.random().toString(36).slice(2)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
  });
  return worker.runUntil(start(taskQueue));
}
