import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKFLOWS_DIR = fileURLToPath(new URL('../workflows/', import.meta.url));
const BUILDER = fileURLToPath(new URL('./build-workflow-bundle.ts', import.meta.url));

/** Thrown when the workflow bundle cannot be built; the message carries the bundler's output. */
export class WorkflowBundleError extends Error {
  override readonly name = 'WorkflowBundleError';
}

/** Identifies a bundle: the workflow sources, the interceptor modules and the SDK version. */
function bundleKey(interceptorModules: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(WORKFLOWS_DIR).sort())
    hash.update(file).update(readFileSync(path.join(WORKFLOWS_DIR, file)));
  const sdk = createRequire(import.meta.url)('@temporalio/workflow/package.json') as { version: string };
  hash.update(sdk.version).update(interceptorModules.join('\n'));
  return hash.digest('hex').slice(0, 20);
}

/**
 * The path of the workflow bundle for these interceptor modules, built once per change of the
 * workflow code and cached. The bundler (webpack) runs in a child process: built in the worker, it
 * would leave ~100 MB of its heap in the worker's resident memory for the life of the process.
 */
export async function workflowBundlePath(
  cacheDir: string,
  interceptorModules: readonly string[],
): Promise<string> {
  const dir = path.join(cacheDir, 'workflow-bundles');
  const out = path.join(dir, `${bundleKey(interceptorModules)}.js`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    process.execPath,
    [BUILDER, path.join(WORKFLOWS_DIR, 'index.ts'), out, ...interceptorModules],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !existsSync(out))
    throw new WorkflowBundleError(`Building the workflow bundle failed (exit ${code}):\n${output}`);
  return out;
}
