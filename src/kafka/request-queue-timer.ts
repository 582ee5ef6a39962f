import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 re-arms each broker connection's pending-request check after every check, with a
 * delay of `throttledUntil - Date.now()`. With no throttle in force that delay is negative, so the
 * timer fires after 1 ms and arms the next one: every open connection wakes its process about a
 * thousand times a second while it waits for nothing (tulios/kafkajs#1556, #1704; Node 24 also
 * prints a TimeoutNegativeWarning each time). On a busy machine those wake-ups take CPU from the
 * work the process is there for.
 *
 * The replacement below arms the check only when it can find something to do: requests are
 * waiting (at the end of the throttle, or after the usual 10 ms if the throttle has already
 * passed), or a throttle is still running. A queue with nothing waiting needs no timer: a request
 * that cannot go out at once arms one when it is queued, and one that completes checks the queue.
 */

/** kafkajs' own interval for re-checking waiting requests once a throttle has passed. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The fields of kafkajs' RequestQueue that the check reads and writes. */
interface RequestQueueTimerState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}

/** RequestQueue#scheduleCheckPendingRequests, without the timer loop of an idle queue. */
function scheduleCheckPendingRequests(this: RequestQueueTimerState): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  let delay: number;
  if (this.pending.length > 0)
    delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  else if (untilUnthrottled > 0) delay = untilUnthrottled;
  else return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

let installed = false;

/** Replaces the method on kafkajs' RequestQueue; idempotent, and before or after clients exist. */
export function installRequestQueueTimerFix(): void {
  if (installed) return;
  installed = true;
  // The class kafkajs itself loads: CommonJS caches modules by file, so this is the same prototype.
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: { scheduleCheckPendingRequests: () => void };
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
}
