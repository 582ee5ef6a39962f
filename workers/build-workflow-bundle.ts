// Builds the workflow bundle in its own process: build-workflow-bundle.ts <workflows entry> <out file> [interceptor modules…]
import { renameSync, writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';

const [workflowsPath, out, ...workflowInterceptorModules] = process.argv.slice(2);
if (!workflowsPath || !out) {
  console.error('usage: build-workflow-bundle.ts <workflows entry> <out file> [interceptor modules…]');
  process.exit(2);
}
const { code } = await bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules,
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
// Written then renamed, so a worker starting at the same moment never reads half a bundle.
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, code);
renameSync(tmp, out);
