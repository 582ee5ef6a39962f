/**
 * Whichever comes first: `work` settling (its value, or its rejection) or `ms` passing (then
 * `timedOut`). The timer is cleared either way, so a finished race never holds the process open.
 * `work` itself goes on after a timeout; whoever needs its late outcome keeps a handle on it.
 */
export async function beforeDeadline<T, D>(work: Promise<T>, ms: number, timedOut: D): Promise<T | D> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<D>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
