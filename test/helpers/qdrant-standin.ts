import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const SERVER_SCRIPT = path.join(REPO_ROOT, 'infra', 'qdrant-standin', 'server.py');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** Thrown when the stand-in's Python is missing or the server does not start or stop in time. */
export class QdrantStandinError extends Error {
  override readonly name = 'QdrantStandinError';
}

/** A stand-in server started by a test, on a free port, over its own data directory. */
export interface QdrantStandin {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  /** Milliseconds from spawn until the server said it listens. */
  readonly startMs: number;
  /** Everything the server wrote to stderr so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: 'SIGTERM' | 'SIGINT' | 'SIGKILL'): Promise<number | null>;
}

/** The Python of the stand-in's venv; fails with the commands that create it when it is missing. */
export function standinPython(): string {
  const python = loadConfig().qdrantStandinPython;
  if (!existsSync(python)) {
    throw new QdrantStandinError(
      `No Python for the Qdrant stand-in at ${python}. Create it with:\n` +
        `  python3 -m venv ~/.cache/embedstream/qdrant-venv\n` +
        `  ~/.cache/embedstream/qdrant-venv/bin/pip install -r infra/qdrant-standin/requirements.txt\n` +
        `or point QDRANT_STANDIN_PYTHON at a Python that has qdrant-edge-py installed.`,
    );
  }
  return python;
}

export function makeDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'qdrant-standin-'));
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Starts a stand-in on a port the OS picks (no race with other tests) and waits until it listens. */
export async function startQdrantStandin(dataDir: string = makeDataDir()): Promise<QdrantStandin> {
  const python = standinPython();
  const started = performance.now();
  const child = spawn(python, [SERVER_SCRIPT, '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    output += chunk;
  });
  const port = await waitForListening(child, () => output);
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    pid: child.pid ?? -1,
    startMs: performance.now() - started,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(new QdrantStandinError(`stand-in did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}`)),
          STOP_TIMEOUT_MS,
        ).unref(),
      );
      return Promise.race([exited, timeout]);
    },
  };
}

function waitForListening(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new QdrantStandinError(`stand-in did not start within ${START_TIMEOUT_MS} ms:\n${output()}`));
    }, START_TIMEOUT_MS);
    const onData = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      resolve(Number(match[1]));
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new QdrantStandinError(`stand-in exited with code ${code} before listening:\n${output()}`));
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new QdrantStandinError(`could not start the stand-in: ${err.message}`));
    });
  });
}
