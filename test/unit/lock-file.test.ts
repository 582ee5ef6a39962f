import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, withLockFile } from '../../src/embedding/lock-file.ts';
import { tempDir } from './model-store-fakes.ts';

let dir: string;
let lock: string;

beforeEach(() => {
  dir = tempDir('lock-file');
  lock = path.join(dir, 'x.lock');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid;
}

describe('withLockFile', () => {
  it('when two callers want the lock at once, then they run one after the other and the file is gone after', async () => {
    const log: string[] = [];
    const hold = (name: string) => async () => {
      log.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      log.push(`${name} out`);
    };

    await Promise.all([
      withLockFile(lock, hold('a'), { pollMs: 10 }),
      withLockFile(lock, hold('b'), { pollMs: 10 }),
    ]);

    expect(log).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('when the holder died, then its lock is taken over at once', async () => {
    fs.writeFileSync(lock, String(deadPid()));
    let waitedFor: number | undefined;

    const result = await withLockFile(lock, () => Promise.resolve('ran'), {
      onWait: (pid) => (waitedFor = pid),
    });

    expect(result).toBe('ran');
    expect(waitedFor).toBeUndefined();
  });

  it('when a live holder keeps the lock past the wait, then the error names the holder and the file', async () => {
    fs.writeFileSync(lock, String(process.pid));

    const taking = withLockFile(lock, () => Promise.resolve(), { pollMs: 5, timeoutMs: 30 });

    await expect(taking).rejects.toThrow(LockTimeoutError);
    await expect(taking).rejects.toThrow(new RegExp(`held by process ${process.pid}.*delete the file`));
    expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.pid));
  });

  it('when the work fails, then the lock is released and the error passes through', async () => {
    await expect(withLockFile(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(fs.existsSync(lock)).toBe(false);
  });
});
