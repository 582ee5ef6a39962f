import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CountUnsupportedError,
  inProcessBacklog,
  IngestBacklog,
  type BacklogSource,
} from '../../consumers/ingest-backlog.ts';
import { IngestBackpressure } from '../../consumers/ingest-backpressure.ts';
import { silentLogger } from '../../src/kafka/logger.ts';

/** A backlog the test sets by hand. */
function settableBacklog(initial: number) {
  const backlog = {
    value: initial,
    asked: 0,
    estimate: () => Promise.resolve((backlog.asked++, backlog.value)),
  };
  return backlog;
}

function partitions() {
  const log: string[] = [];
  const pause = (name: string) => () => {
    log.push(`pause ${name}`);
    return () => void log.push(`resume ${name}`);
  };
  return { log, pause };
}

describe('ingest backpressure', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('when the backlog is below INGEST_MAX_BACKLOG, then hand-offs are admitted and nothing is paused', async () => {
    const p = partitions();
    const bp = new IngestBackpressure(settableBacklog(31), { maxBacklog: 32, logger: silentLogger });
    expect(await bp.admit(p.pause('p0'))).toBe(true);
    expect(p.log).toEqual([]);
  });

  it('when the backlog reaches the limit, then every partition that asks is paused, and all resume once it drains below half', async () => {
    const backlog = settableBacklog(32);
    const p = partitions();
    const bp = new IngestBackpressure(backlog, { maxBacklog: 32, logger: silentLogger, pollMs: 1000 });

    expect(await bp.admit(p.pause('p0'))).toBe(false);
    expect(await bp.admit(p.pause('p1'))).toBe(false);
    expect(p.log).toEqual(['pause p0', 'pause p1']);

    backlog.value = 16; // not below half yet
    await vi.advanceTimersByTimeAsync(1000);
    expect(bp.paused).toBe(true);

    backlog.value = 15;
    await vi.advanceTimersByTimeAsync(1000);
    expect(bp.paused).toBe(false);
    expect(p.log).toEqual(['pause p0', 'pause p1', 'resume p0', 'resume p1']);
    expect(await bp.admit(p.pause('p0'))).toBe(true);
  });

  it('when paused, then the backlog is looked at once per poll interval, not on every hand-off', async () => {
    const backlog = settableBacklog(40);
    const bp = new IngestBackpressure(backlog, { maxBacklog: 32, logger: silentLogger, pollMs: 1000 });
    await bp.admit(partitions().pause('p0'));
    const asked = backlog.asked;
    for (let i = 0; i < 10; i++) await bp.admit(partitions().pause('p0'));
    expect(backlog.asked).toBe(asked);
    await vi.advanceTimersByTimeAsync(3000);
    expect(backlog.asked).toBe(asked + 3);
  });

  it('when stopped while paused, then it polls no more', async () => {
    const backlog = settableBacklog(40);
    const bp = new IngestBackpressure(backlog, { maxBacklog: 32, logger: silentLogger, pollMs: 1000 });
    await bp.admit(partitions().pause('p0'));
    bp.stop();
    const asked = backlog.asked;
    await vi.advanceTimersByTimeAsync(5000);
    expect(backlog.asked).toBe(asked);
  });
});

describe('ingest backlog estimate', () => {
  function countingSource(counts: (number | Error)[]): BacklogSource & { calls: number } {
    const source = {
      name: 'visibility' as const,
      calls: 0,
      count() {
        const next = counts[Math.min(source.calls++, counts.length - 1)]!;
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
      noteStarted() {},
    };
    return source;
  }

  it('when asked twice within the interval, then Temporal is counted once and starts since are added', async () => {
    let now = 0;
    const source = countingSource([5, 9]);
    const backlog = new IngestBacklog(source, () => source, {
      taskQueue: 'q',
      logger: silentLogger,
      now: () => now,
    });
    expect(await backlog.estimate()).toBe(5);
    backlog.noteStarted('w1');
    backlog.noteStarted('w2');
    now = 999;
    expect(await backlog.estimate()).toBe(7);
    expect(source.calls).toBe(1);
    now = 1000;
    expect(await backlog.estimate()).toBe(9);
  });

  it('when partitions ask at the same moment, then one count answers them all', async () => {
    const source = countingSource([3]);
    const backlog = new IngestBacklog(source, () => source, {
      taskQueue: 'q',
      logger: silentLogger,
      now: () => 0,
    });
    expect(await Promise.all([backlog.estimate(), backlog.estimate(), backlog.estimate()])).toEqual([
      3, 3, 3,
    ]);
    expect(source.calls).toBe(1);
  });

  it('when a count fails, then the last figure stands', async () => {
    let now = 0;
    const source = countingSource([4, new Error('unavailable')]);
    const backlog = new IngestBacklog(source, () => source, {
      taskQueue: 'q',
      logger: silentLogger,
      now: () => now,
    });
    await backlog.estimate();
    now = 2000;
    expect(await backlog.estimate()).toBe(4);
  });

  it('when the server cannot count, then it falls back to the workflows this process started and has not seen finish', async () => {
    const finish = new Map<string, () => void>();
    const fallback = inProcessBacklog((id) => new Promise<void>((resolve) => finish.set(id, resolve)));
    const source = countingSource([new CountUnsupportedError('no advanced visibility')]);
    let now = 0;
    const backlog = new IngestBacklog(source, () => fallback, {
      taskQueue: 'q',
      logger: silentLogger,
      now: () => now,
    });
    expect(await backlog.estimate()).toBe(0);
    expect(backlog.sourceName).toBe('in-process');
    backlog.noteStarted('w1');
    backlog.noteStarted('w2');
    now = 1000;
    expect(await backlog.estimate()).toBe(2);
    finish.get('w1')!();
    await Promise.resolve();
    await Promise.resolve();
    now = 2000;
    expect(await backlog.estimate()).toBe(1);
  });
});
