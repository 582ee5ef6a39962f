import fs from 'node:fs';

export interface LockOptions {
  /** Called once when the lock is held by another live process, with that process's pid. */
  onWait?: (holderPid: number) => void;
  pollMs?: number;
  /** Longest wait for another holder before giving up. */
  timeoutMs?: number;
}

/** Thrown when another process held the lock for longer than the wait allowed. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the lock file if no one holds it; removes a lock whose holder died. */
function tryTake(lockPath: string): { taken: true } | { taken: false; holder: number | undefined } {
  try {
    const fd = fs.openSync(lockPath, 'wx');
    fs.writeSync(fd, String(process.pid));
    fs.closeSync(fd);
    return { taken: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = holderOf(lockPath);
  // No pid yet: the holder is between creating and writing the file; wait for it.
  if (holder !== undefined && !isAlive(holder)) {
    fs.rmSync(lockPath, { force: true });
    return tryTake(lockPath);
  }
  return { taken: false, holder };
}

/**
 * Runs `fn` holding an exclusive lock file (it holds the holder's pid), so that processes sharing a
 * directory take turns. A lock left by a process that died is taken over.
 */
export async function withLockFile<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const pollMs = opts.pollMs ?? 500;
  const deadline = performance.now() + (opts.timeoutMs ?? 30 * 60_000);
  let told = false;
  for (;;) {
    const attempt = tryTake(lockPath);
    if (attempt.taken) break;
    if (!told && attempt.holder !== undefined) {
      opts.onWait?.(attempt.holder);
      told = true;
    }
    if (performance.now() > deadline)
      throw new LockTimeoutError(
        `${lockPath} is still held by process ${attempt.holder ?? '(unknown)'}; wait for it to finish, ` +
          'or delete the file if no such process is running.',
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await fn();
  } finally {
    if (holderOf(lockPath) === process.pid) fs.rmSync(lockPath, { force: true });
  }
}
