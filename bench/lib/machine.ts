import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** The machine a benchmark ran on, so figures from different machines are not compared blindly. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  /** 1, 5 and 15 minute load averages; the cores are shared, so this says how busy others kept them. */
  loadAverageBefore: number[];
  loadAverageAfter?: number[];
  /** Busy share of all cores while the benchmark itself did nothing, just before and after it: the others' load. */
  backgroundBusyBefore?: number;
  backgroundBusyAfter?: number;
  gitCommit: string;
}

function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd,
        encoding: 'utf8',
      }).trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(repoRoot: string): MachineInfo {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    loadAverageBefore: os.loadavg(),
    gitCommit: gitCommit(repoRoot),
  };
}
