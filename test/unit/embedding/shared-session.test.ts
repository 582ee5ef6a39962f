import { describe, expect, it } from 'vitest';
import { padBatch } from '../../../src/embedding/inference-backend.ts';
import { SharedSession } from '../../../src/embedding/shared-session.ts';
import { FakeBackend, flush } from './fakes.ts';

describe('SharedSession', () => {
  it('when a query arrives while bulk batches are queued, then it runs right after the running batch', async () => {
    const backend = new FakeBackend();
    backend.hold();
    const session = new SharedSession(backend);
    const bulk = [1, 2, 3].map((n) => session.bulk(padBatch([[101, 1000 + n, 102]])));
    await flush();
    const query = session.query(padBatch([[101, 2000, 102]]));
    backend.release();
    await Promise.all([...bulk, query]);
    expect(backend.batches.map((b) => b[0]![1])).toEqual([1001, 2000, 1002, 1003]);
  });
});
