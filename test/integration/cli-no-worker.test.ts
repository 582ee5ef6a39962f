import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isolatedEnv } from '../helpers/service-process.ts';

// Task queues of their own that no worker polls.
const env = isolatedEnv();

async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, ['bin/embedstream.js', ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('commands that start workflows, with no worker running', () => {
  it('when `search` finds no worker on the search task queue, then it says so and how to start one', async () => {
    const { code, stderr } = await run('search', 'tides');
    expect(code).toBe(1);
    expect(stderr).toContain(
      `No worker serves the task queue "${env.TASK_QUEUE_SEARCH}" (TASK_QUEUE_SEARCH)`,
    );
    expect(stderr).toContain('embedstream run --role worker');
  });

  it('when `ingest` finds no worker on the ingest task queue, then it says so before sending anything', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'no-worker-')), 'docs.jsonl');
    await writeFile(file, `${JSON.stringify({ id: 'a', text: 'some text' })}\n`);
    const { code, stderr } = await run('ingest', file);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `No worker serves the task queue "${env.TASK_QUEUE_INGEST}" (TASK_QUEUE_INGEST)`,
    );
    expect(stderr).not.toContain('    at ');
  });
});
