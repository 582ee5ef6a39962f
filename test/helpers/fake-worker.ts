import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Config } from '../../src/config/index.ts';
import type { MessageProducer } from '../../src/kafka/producer.ts';
import { createFakeActivities } from './fake-activities.ts';

const WORKFLOWS = fileURLToPath(new URL('./fake-workflows.ts', import.meta.url));

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let runtimeInstalled = false;

/** A running worker of the fake workflows. */
export interface FakeWorker {
  stop(): Promise<void>;
}

/**
 * Runs the fake `ingestBatch` and `searchQuery` workflows on `taskQueue` (a test's own queue), so
 * workflows the consumers start complete, and queries get answers on their reply topic.
 */
export async function startFakeWorker(
  config: Pick<Config, 'temporalAddress' | 'temporalNamespace'>,
  taskQueue: string,
  producer: Pick<MessageProducer, 'send'>,
): Promise<FakeWorker> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue,
    workflowBundle: await bundle,
    activities: createFakeActivities(producer),
    shutdownGraceTime: '1 second',
  });
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
