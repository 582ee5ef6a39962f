import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODULE = path.resolve(import.meta.dirname, '../../src/cli/startup-limits.ts');
let dir: string;
let script: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-limits-'));
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

function probe(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Probe & { childPid: number } {
  const env0 = { ...process.env };
  delete env0.MALLOC_ARENA_MAX;
  delete env0.NODE_OPTIONS;
  const out = spawnSync(process.execPath, ['--no-warnings', ...nodeArgs, script, 'a', '--b'], {
    env: { ...env0, ...env },
    encoding: 'utf8',
  });
  expect(out.status, out.stderr).toBe(0);
  return { ...(JSON.parse(out.stdout) as Probe), childPid: out.pid };
}

describe.runIf(process.platform === 'linux')('start-up limits', () => {
  it('when neither is set, then the process restarts itself in place (same pid) with MALLOC_ARENA_MAX=2 and an 8 MB semi-space, keeping its node options and arguments', () => {
    const r = probe({});
    expect(r.arenas).toBe('2');
    expect(r.pid).toBe(r.childPid);
    expect(r.args).toEqual(['a', '--b']);
    expect(r.execArgv).toEqual(['--max-semi-space-size=8', '--no-warnings']);
  });

  it('when MALLOC_ARENA_MAX is set, then it is kept as it is, and the semi-space is still capped', () => {
    const zero = probe({ MALLOC_ARENA_MAX: '0' });
    expect(zero.arenas).toBe('0');
    expect(zero.execArgv).toContain('--max-semi-space-size=8');
    expect(probe({ MALLOC_ARENA_MAX: '4' }).arenas).toBe('4');
  });

  it('when a semi-space size is given on the command line or in NODE_OPTIONS, then it wins', () => {
    const cli = probe({}, ['--max-semi-space-size=16']);
    expect(cli.execArgv).toEqual(['--no-warnings', '--max-semi-space-size=16']);
    expect(cli.arenas).toBe('2');
    const env = probe({ NODE_OPTIONS: '--max-semi-space-size=0' });
    expect(env.execArgv.join(' ')).not.toMatch(/semi/);
    expect(env.arenas).toBe('2');
  });

  it('when both are set, then the process does not restart', () => {
    const r = probe({ MALLOC_ARENA_MAX: '2' }, ['--max-semi-space-size=4']);
    expect(r.execArgv).toEqual(['--no-warnings', '--max-semi-space-size=4']);
  });
});
