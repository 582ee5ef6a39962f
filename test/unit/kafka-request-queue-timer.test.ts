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
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
// kafkajs' own class, as its connections create it.
const RequestQueueClass = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => RequestQueue;

function queue(maxInFlightRequests: number | null = null): RequestQueue {
  return new RequestQueueClass({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silent,
  });
}

function request(correlationId: number, sent: number[]): Request {
  return {
    entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve() {}, reject() {} },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

/** Counts the queue's checks from now on. */
function countChecks(q: RequestQueue): () => number {
  const check = vi.spyOn(q, 'checkPendingRequests');
  return () => check.mock.calls.length;
}

describe("kafkajs' request queue timer", () => {
  let q: RequestQueue;
  beforeEach(() => {
    vi.useFakeTimers();
    installRequestQueueTimerFix();
  });
  afterEach(() => {
    q.destroy();
    vi.useRealTimers();
  });

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
    q = queue(1);
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
