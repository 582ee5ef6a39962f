import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installRequestQueueTimerFix } from '../../src/kafka/request-queue-timer.ts';

interface Request {
  entry: {
    correlationId: number;
    apiKey: number;
    apiName: string;
    apiVersion: number;
    resolve(response: unknown): void;
    reject(error: Error): void;
  };
  expectResponse: boolean;
  sendRequest(): void;
}

interface RequestQueue {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: Request): void;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  destroy(): void;
  scheduleRequestTimeoutCheck(): void;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
// kafkajs' own class, as its connections create it.
const RequestQueueClass = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => RequestQueue;

/** A queue with a 30 s request timeout, not enforced unless asked. */
function queue(
  options: {
    maxInFlightRequests?: number;
    enforceRequestTimeout?: boolean;
    isConnected?: () => boolean;
  } = {},
): RequestQueue {
  return new RequestQueueClass({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silent,
    ...options,
  });
}

function request(correlationId: number, sent: number[], reject: (error: Error) => void = () => {}): Request {
  return {
    entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve() {}, reject },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

/** Counts the queue's checks from now on. */
function countChecks(q: RequestQueue): () => number {
  const check = vi.spyOn(q, 'checkPendingRequests');
  return () => check.mock.calls.length;
}

describe("kafkajs' request queue", () => {
  let q: RequestQueue;
  beforeEach(() => {
    vi.useFakeTimers();
    installRequestQueueTimerFix();
  });
  afterEach(() => {
    q.destroy();
    vi.useRealTimers();
  });

  describe('the pending-request check', () => {
    it('when a queue with nothing waiting is checked, then no timer is armed and it stays quiet', () => {
      q = queue();
      const checks = countChecks(q);
      // What every completed request does.
      q.checkPendingRequests();
      expect(q.throttleCheckTimeoutId).toBeNull();
      vi.advanceTimersByTime(1000);
      // kafkajs 2.2.4 as shipped checks again every millisecond: about a thousand checks here.
      expect(checks()).toBe(1);
    });

    it('when a request is queued behind a client-side throttle, then it goes out as the throttle ends and the queue falls quiet', () => {
      q = queue();
      const sent: number[] = [];
      q.maybeThrottle(50);
      q.push(request(1, sent));
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(49);
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(2);
      expect(sent).toEqual([1]);
      const checks = countChecks(q);
      vi.advanceTimersByTime(1000);
      expect(checks()).toBe(0);
    });

    it('when a throttle is in force with nothing waiting, then one check is armed for its end', () => {
      q = queue();
      q.maybeThrottle(200);
      const checks = countChecks(q);
      q.checkPendingRequests();
      expect(q.throttleCheckTimeoutId).not.toBeNull();
      vi.advanceTimersByTime(1000);
      expect(checks()).toBe(2);
    });

    it('when a request waits for an in-flight slot, then the completion of the one in flight sends it', () => {
      q = queue({ maxInFlightRequests: 1 });
      const sent: number[] = [];
      q.push(request(1, sent));
      q.push(request(2, sent));
      expect(sent).toEqual([1]);
      expect(q.pending).toHaveLength(1);
      q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
      expect(sent).toEqual([1, 2]);
      expect(q.pending).toHaveLength(0);
    });
  });

  describe('the request-timeout check', () => {
    const enforcing = (isConnected: () => boolean = () => true) =>
      queue({ enforceRequestTimeout: true, isConnected });

    it('when a connection is open, then it looks for timed-out requests once a second, not ten times', () => {
      const connected = vi.fn(() => true);
      q = enforcing(connected);
      // What kafkajs' connection does once its socket connects.
      q.scheduleRequestTimeoutCheck();
      vi.advanceTimersByTime(10_000);
      // kafkajs 2.2.4 as shipped looks every 100 ms: 100 times here.
      expect(connected).toHaveBeenCalledTimes(10);
    });

    it('when a request in flight passes its timeout, then it fails within a second after', () => {
      q = enforcing();
      q.scheduleRequestTimeoutCheck();
      const failures: Error[] = [];
      q.push(request(1, [], (error) => failures.push(error)));
      vi.advanceTimersByTime(30_000);
      expect(failures).toEqual([]);
      vi.advanceTimersByTime(1_001);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.name).toBe('KafkaJSRequestTimeoutError');
    });

    it('when the connection has closed, then the check stops', () => {
      let open = true;
      const connected = vi.fn(() => open);
      q = enforcing(connected);
      q.scheduleRequestTimeoutCheck();
      vi.advanceTimersByTime(2_000);
      open = false;
      vi.advanceTimersByTime(10_000);
      expect(connected).toHaveBeenCalledTimes(3);
    });
  });
});
