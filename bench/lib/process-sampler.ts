import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** One reading of a process: resident memory, and CPU time and disk writes so far. */
export interface ProcessSample {
  /** Seconds since the sampler's epoch. */
  t: number;
  rssMb: number;
  cpuSeconds: number;
  /** Bytes the process caused to be written to storage since it started (/proc/<pid>/io write_bytes), in MB. */
  writtenMb?: number;
}

/** The readings of one process under one label (a label may be reused by a later process, e.g. a fresh worker). */
export interface ProcessSeries {
  label: string;
  pid: number;
  samples: ProcessSample[];
}

/** One reading of the whole machine: jiffies busy and in total since boot, over every core. */
export interface MachineSample {
  t: number;
  busy: number;
  total: number;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** VmRSS of `pid` in MB, or undefined once the process is gone. */
export function readRssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Storage writes `pid` caused so far in MB, or undefined when /proc/<pid>/io cannot be read. */
function readWrittenMb(pid: number): number | undefined {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) / 2 ** 20 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads VmRSS, CPU time and disk writes of the tracked processes, and the machine's busy share, every
 * `intervalMs` from /proc. Reads are synchronous and take microseconds, so sampling in the process
 * that also times queries costs nothing measurable.
 */
export class ProcessSampler {
  readonly #intervalMs: number;
  readonly #epoch = performance.now();
  readonly #ticks = clockTicks();
  readonly #active = new Map<string, ProcessSeries>();
  readonly #all: ProcessSeries[] = [];
  readonly #machine: MachineSample[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs = 500) {
    this.#intervalMs = intervalMs;
  }

  /** Seconds since the epoch, the clock of every sample (and of phase marks taken with it). */
  now(): number {
    return (performance.now() - this.#epoch) / 1000;
  }

  /** Starts sampling `pid` under `label`, replacing the process tracked under that label before. */
  track(label: string, pid: number): void {
    const series: ProcessSeries = { label, pid, samples: [] };
    this.#active.set(label, series);
    this.#all.push(series);
    this.#sampleProcess(series);
  }

  untrack(label: string): void {
    const series = this.#active.get(label);
    if (series) this.#sampleProcess(series);
    this.#active.delete(label);
  }

  start(): void {
    this.#tick();
    this.#timer ??= setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#tick();
  }

  series(): readonly ProcessSeries[] {
    return this.#all;
  }

  machine(): readonly MachineSample[] {
    return this.#machine;
  }

  #tick(): void {
    for (const series of this.#active.values()) this.#sampleProcess(series);
    const cpu = /^cpu\s+(.+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    if (cpu) {
      const f = cpu[1]!.trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal: idle and iowait are the not-busy part.
      const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
      this.#machine.push({ t: this.now(), busy: total - f[3]! - f[4]!, total });
    }
  }

  #sampleProcess(series: ProcessSeries): void {
    const rssMb = readRssMb(series.pid);
    const cpuSeconds = this.#cpuSeconds(series.pid);
    if (rssMb === undefined || cpuSeconds === undefined) return;
    const writtenMb = readWrittenMb(series.pid);
    series.samples.push({
      t: this.now(),
      rssMb,
      cpuSeconds,
      ...(writtenMb === undefined ? {} : { writtenMb }),
    });
  }

  #cpuSeconds(pid: number): number | undefined {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / this.#ticks;
    } catch {
      return undefined;
    }
  }
}

/**
 * CPU seconds a series used and the seconds it was sampled over, from its first to its last sample
 * between `from` and `to` (seconds on the sampler's clock); undefined without two samples there.
 */
export function usedBetween(
  series: ProcessSeries,
  from: number,
  to: number,
): { cpuSeconds: number; seconds: number } | undefined {
  const inside = series.samples.filter((s) => s.t >= from && s.t <= to);
  const first = inside[0];
  const last = inside[inside.length - 1];
  if (!first || !last || last.t <= first.t) return undefined;
  return { cpuSeconds: last.cpuSeconds - first.cpuSeconds, seconds: last.t - first.t };
}

/** CPU seconds a series used between `from` and `to` (seconds on the sampler's clock), from the samples inside. */
export function cpuSecondsUsed(series: ProcessSeries, from: number, to: number): number {
  return usedBetween(series, from, to)?.cpuSeconds ?? Number.NaN;
}

/** MB per second a series wrote to storage between `from` and `to`; NaN when not readable. */
export function writeRateMbPerSec(series: ProcessSeries, from: number, to: number): number {
  const inside = series.samples.filter((s) => s.t >= from && s.t <= to && s.writtenMb !== undefined);
  if (inside.length < 2) return Number.NaN;
  const first = inside[0]!;
  const last = inside[inside.length - 1]!;
  return last.t > first.t ? (last.writtenMb! - first.writtenMb!) / (last.t - first.t) : Number.NaN;
}

/** Cores' worth of CPU a series used between `from` and `to` (seconds on the sampler's clock). */
export function coresUsed(series: ProcessSeries, from: number, to: number): number {
  const used = usedBetween(series, from, to);
  return used ? used.cpuSeconds / used.seconds : Number.NaN;
}

/** Share of the machine's CPU (all cores) that was busy between `from` and `to`. */
export function machineBusy(samples: readonly MachineSample[], from: number, to: number): number {
  const inside = samples.filter((s) => s.t >= from && s.t <= to);
  if (inside.length < 2) return Number.NaN;
  const first = inside[0]!;
  const last = inside[inside.length - 1]!;
  return last.total > first.total ? (last.busy - first.busy) / (last.total - first.total) : Number.NaN;
}
