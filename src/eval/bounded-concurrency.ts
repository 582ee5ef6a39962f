/**
 * Runs `work` on each item with at most `limit` calls running at once. Items are pulled lazily, so
 * a streamed corpus is read only as fast as it is processed. After the first failure no new item is
 * started; the calls still running are awaited, then that failure is thrown.
 */
export async function forEachBounded<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    const call: Promise<void> = work(item).then(
      () => {
        running.delete(call);
      },
      (error: unknown) => {
        running.delete(call);
        failure ??= { error };
      },
    );
    running.add(call);
    if (running.size >= limit) await Promise.race(running);
    if (failure) break;
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
