import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODULE = path.resolve(import.meta.dirname, '../../src/cli/malloc-arenas.ts');
let dir: string;
let script: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'malloc-arenas-'));
  script = path.join(dir, 'probe.mjs');
  // As bin/embedstream.js does: the module is the first import.
  fs.writeFileSync(
    script,
    `import ${JSON.stringify(MODULE)};
console.log(JSON.stringify({ pid: process.pid, arenas: process.env.MALLOC_ARENA_MAX ?? null, args: process.argv.slice(2), execArgv: process.execArgv }));
`,
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a process that imports the module first, then reports its pid, environment and arguments. */
interface Probe {
  pid: number;
  arenas: string | null;
  args: string[];
  execArgv: string[];
}

function probe(env: NodeJS.ProcessEnv): Probe & { childPid: number } {
  const env0 = { ...process.env };
  delete env0.MALLOC_ARENA_MAX;
  const out = spawnSync(process.execPath, ['--no-warnings', script, 'a', '--b'], {
    env: { ...env0, ...env },
    encoding: 'utf8',
  });
  expect(out.status, out.stderr).toBe(0);
  return { ...(JSON.parse(out.stdout) as Probe), childPid: out.pid };
}

describe.runIf(process.platform === 'linux')('malloc arenas', () => {
  it('when MALLOC_ARENA_MAX is unset, then the process restarts itself in place (same pid) with it at 2, its node options and its arguments', () => {
    const r = probe({});
    expect(r.arenas).toBe('2');
    expect(r.pid).toBe(r.childPid);
    expect(r.args).toEqual(['a', '--b']);
    expect(r.execArgv).toEqual(['--no-warnings']);
  });

  it('when MALLOC_ARENA_MAX is set, then it is kept as it is', () => {
    expect(probe({ MALLOC_ARENA_MAX: '0' }).arenas).toBe('0');
    expect(probe({ MALLOC_ARENA_MAX: '4' }).arenas).toBe('4');
  });
});
