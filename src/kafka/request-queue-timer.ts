import { createRequire } from 'node:module';

/**
 * Two timers of kafkajs 2.2.4's per-connection request queue wake a process far more often than
 * their work needs. On a busy machine those wake-ups take CPU from the work the process is there
 * for; on a machine that embeds on every core, each one preempts an inference thread.
 *
 * The pending-request check. kafkajs re-arms it after every check, with a delay of
 * `throttledUntil - Date.now()`. With no throttle in force that delay is negative, so the timer
 * fires after 1 ms and arms the next one: every open connection wakes its process about a
 * thousand times a second while it waits for nothing (tulios/kafkajs#1556, #1704; Node 24 also
 * prints a TimeoutNegativeWarning each time). The replacement arms the check only when it can find
 * something to do: requests are waiting (at the end of the throttle, or after the usual 10 ms if
 * the throttle has already passed), or a throttle is still running. A queue with nothing waiting
 * needs no timer: a request that cannot go out at once arms one when it is queued, and one that
 * completes checks the queue.
 *
 * The request-timeout check. kafkajs looks for requests in flight past their timeout (30 s and
 * more) every 100 ms on every open connection, ten wake-ups a second each: an idle consumer
 * process woke 38 times a second, and 20 with the check below.
 * The replacement looks once a second, so a timed-out request fails at most a second later.
 */

/** kafkajs' own interval for re-checking waiting requests once a throttle has passed. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** How often each connection looks for requests in flight past their timeout. */
const REQUEST_TIMEOUT_CHECK_MS = 1000;

/** The fields of kafkajs' RequestQueue that the pending-request check reads and writes. */
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

/** The fields of kafkajs' RequestQueue that the request-timeout check reads and writes. */
interface RequestTimeoutState {
  enforceRequestTimeout: boolean;
  requestTimeout: number;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  isConnected(): boolean;
  destroy(): void;
}

/** RequestQueue#scheduleRequestTimeoutCheck, looking once a second instead of ten times. */
function scheduleRequestTimeoutCheck(this: RequestTimeoutState): void {
  if (!this.enforceRequestTimeout) return;
  this.destroy();
  this.requestTimeoutIntervalId = setInterval(
    () => {
      const now = Date.now();
      for (const request of this.inflight.values())
        if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
      if (!this.isConnected()) this.destroy();
    },
    Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
  );
}

let installed = false;

/**
 * Replaces both methods on kafkajs' RequestQueue; idempotent. Connections made before take the
 * pending-request check from then on, and the request-timeout check when they next connect.
 */
export function installRequestQueueTimerFix(): void {
  if (installed) return;
  installed = true;
  // The class kafkajs itself loads: CommonJS caches modules by file, so this is the same prototype.
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: { scheduleCheckPendingRequests: () => void; scheduleRequestTimeoutCheck: () => void };
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  RequestQueue.prototype.scheduleRequestTimeoutCheck = scheduleRequestTimeoutCheck;
}
