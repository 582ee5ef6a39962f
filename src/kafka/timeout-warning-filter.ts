/**
 * kafkajs 2.2.4 arms its request-queue throttle check with `throttledUntil - Date.now()`, which is
 * negative whenever no throttle is in force; Node 24 then warns (TimeoutNegativeWarning) on every
 * request and runs the timer after 1 ms, exactly what kafkajs meant. This drops that one warning
 * when kafkajs raised it and hands every other warning to Node's own handlers unchanged.
 */
let installed = false;

export function isKafkajsTimeoutWarning(warning: Error): boolean {
  return warning.name === 'TimeoutNegativeWarning' && (warning.stack ?? '').includes('kafkajs');
}

/** Idempotent: installs the filter once per process. */
export function filterKafkajsTimeoutWarnings(): void {
  if (installed) return;
  installed = true;
  const handlers = process.listeners('warning');
  for (const handler of handlers) process.removeListener('warning', handler);
  process.on('warning', (warning) => {
    if (isKafkajsTimeoutWarning(warning)) return;
    for (const handler of handlers) handler(warning);
  });
}
