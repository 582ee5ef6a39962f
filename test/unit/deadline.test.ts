import { afterEach, describe, expect, it, vi } from 'vitest';
import { beforeDeadline } from '../../src/service/deadline.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('racing work against a deadline', () => {
  it('when the work settles first, then its value comes back and no timer is left', async () => {
    vi.useFakeTimers();
    await expect(beforeDeadline(Promise.resolve(7), 1000, 'late')).resolves.toBe(7);
    await expect(beforeDeadline(Promise.reject(new Error('boom')), 1000, 'late')).rejects.toThrow('boom');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('when the deadline passes first, then the timed-out value comes back and a later failure is no unhandled rejection', async () => {
    vi.useFakeTimers();
    let fail!: (err: Error) => void;
    const work = new Promise<number>((_, reject) => (fail = reject));
    const raced = beforeDeadline(work, 1000, 'late' as const);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(raced).resolves.toBe('late');
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      fail(new Error('too late'));
      vi.useRealTimers();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
