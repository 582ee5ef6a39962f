import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { uniqueName } from './names.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'embedstream.js');

/** Settings that give a test its own topics, consumer groups, task queues and collection. */
export function isolatedEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const id = uniqueName('t').replace(/-/g, '_');
  return {
    TOPIC_DOCUMENTS: `${id}.documents`,
    TOPIC_DOCUMENTS_DLQ: `${id}.documents.dlq`,
    TOPIC_QUERIES: `${id}.queries`,
    TOPIC_QUERIES_DLQ: `${id}.queries.dlq`,
    TOPIC_QUERY_RESULTS: `${id}.query-results`,
    TOPIC_PARTITIONS: '2',
    KAFKA_GROUP_ID: id,
    TASK_QUEUE_INGEST: `${id}-ingest`,
    TASK_QUEUE_SEARCH: `${id}-search`,
    QDRANT_COLLECTION: id,
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export function configOf(env: Record<string, string>): Config {
  return loadConfig({ ...process.env, ...env });
}

/** An `embedstream run` process started by a test. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies mid-work, as in a crash. */
  kill(): Promise<void>;
}

/**
 * Starts `embedstream run --role <role>` with `env`. Its traces name it `embedstream-<label>-<role>`
 * in Jaeger (`embedstream-test-worker` by default), apart from processes a user runs.
 */
export async function startService(
  role: 'worker' | 'consumer' | 'all',
  env: Record<string, string>,
  label = 'test',
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [BIN, 'run', '--role', role], {
    env: { ...process.env, ...env, EMBEDSTREAM_ROLE: `${label}-${role}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`embedstream run --role ${role} did not start in 90 s:\n${out}`)),
      90_000,
    );
    const onData = () => {
      const m = /running; .* on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`embedstream run --role ${role} exited with ${code} during start-up:\n${out}`));
    });
  });
  return {
    child,
    port,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `probe` until it returns a value `done` accepts, or fails after `timeoutMs` saying what it last saw. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch {
      // Not there yet (e.g. the collection is still being created).
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not reached after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}
