import { describe, expect, it } from 'vitest';
import {
  lastOperationPerDocument,
  planSubBatches,
  serializedBytes,
  type SubBatchLimits,
} from '../../consumers/sub-batch-plan.ts';
import type { DocumentInput } from '../../workflows/contracts.ts';
import { documents, message } from './consumers/kafka-fakes.ts';

const limits: SubBatchLimits = { maxDocs: 4, maxBytes: 512 * 1024, maxWaitMs: 500 };
/** The fetch saw the end of the log and was sent long after every message: tails may go. */
const settled = { atHighWatermark: true, fetchedNotBefore: 10_000_000 };

const ranges = (plan: ReturnType<typeof planSubBatches>) =>
  plan.subBatches.map((s) => `${s.fromOffset}-${s.toOffset}:${s.closedBy}`);

describe('cutting a batch into sub-batches', () => {
  it('when a batch holds more documents than INGEST_BATCH_DOCS, then it is cut by count and the rest goes as the tail', () => {
    const plan = planSubBatches(documents(10), limits, settled);
    expect(ranges(plan)).toEqual(['0-3:docs', '4-7:docs', '8-9:tail']);
    expect(plan.held).toBeUndefined();
    expect(plan.subBatches[0]!.documents.map((d) => d.id)).toEqual(['d0', 'd1', 'd2', 'd3']);
  });

  it('when documents would take a sub-batch past INGEST_BATCH_BYTES, then it is closed before them', () => {
    const big = (i: number) => message(i, { id: `b${i}`, text: 'x'.repeat(400) });
    const size = serializedBytes({
      id: 'b0',
      op: 'upsert',
      text: 'x'.repeat(400),
      version: 1_000_000,
      offset: '0',
    });
    const plan = planSubBatches(
      [0, 1, 2, 3, 4].map(big),
      { ...limits, maxDocs: 100, maxBytes: size * 2 + 10 },
      settled,
    );
    expect(ranges(plan)).toEqual(['0-1:bytes', '2-3:bytes', '4-4:tail']);
    expect(plan.subBatches.every((s) => s.bytes <= size * 2 + 10)).toBe(true);
  });

  it('when a message is more than INGEST_BATCH_MAX_WAIT_MS younger than the first of its sub-batch, then a new one starts', () => {
    const msgs = [
      message(0, { id: 'a', text: 't' }, { timestamp: 1000 }),
      message(1, { id: 'b', text: 't' }, { timestamp: 1500 }),
      message(2, { id: 'c', text: 't' }, { timestamp: 1501 }),
    ];
    expect(ranges(planSubBatches(msgs, limits, settled))).toEqual(['0-1:time', '2-2:tail']);
  });

  it('when one document is larger than a whole sub-batch may be, then it is dead-lettered as DocumentTooLarge', () => {
    const plan = planSubBatches(
      [message(0, { id: 'huge', text: 'x'.repeat(3000) })],
      { ...limits, maxBytes: 1024 },
      settled,
    );
    expect(plan.subBatches).toHaveLength(1);
    expect(plan.subBatches[0]!.documents).toEqual([]);
    expect(plan.subBatches[0]!.deadLetters[0]!.error.type).toBe('DocumentTooLarge');
    expect(plan.subBatches[0]!.deadLetters[0]!.error.message).toMatch(
      /one ingest workflow takes at most 1024 \(INGEST_BATCH_BYTES\)/,
    );
  });

  it('when invalid messages come between valid ones, then they join the open sub-batch, or stand alone when none is open', () => {
    const msgs = [
      message(0, 'nope', { key: 'x' }),
      message(1, { id: 'a', text: 't' }),
      message(2, '{"id":"b"}', { key: 'b' }),
      message(3, { id: 'c', text: 't' }),
    ];
    const plan = planSubBatches(msgs, limits, settled);
    expect(ranges(plan)).toEqual(['0-0:dead-letter', '1-3:tail']);
    expect(plan.subBatches[1]!.deadLetters.map((l) => l.message.offset)).toEqual(['2']);
    expect(plan.subBatches[1]!.documents.map((d) => d.id)).toEqual(['a', 'c']);
  });

  it('when a sub-batch is handed off, then each document carries the message timestamp as version and its offset', () => {
    const plan = planSubBatches(
      [message(7, { id: 'a', text: 't', title: 'T' }, { timestamp: 1234 })],
      limits,
      settled,
    );
    expect(plan.subBatches[0]!.documents).toEqual([
      { id: 'a', op: 'upsert', text: 't', title: 'T', version: 1234, offset: '7' },
    ]);
  });
});

describe('the tail of a batch', () => {
  it('when the fetch stopped short of the high watermark, then the partly filled tail is held for the next fetch', () => {
    const plan = planSubBatches(documents(6), limits, {
      atHighWatermark: false,
      fetchedNotBefore: 10_000_000,
    });
    expect(ranges(plan)).toEqual(['0-3:docs']);
    expect(plan.held).toEqual({ fromOffset: '4', releaseAt: 1_000_500, reason: 'more-in-log' });
  });

  it('when the tail window is still open at fetch time, then the tail is held until it closes', () => {
    const plan = planSubBatches(documents(2), limits, { atHighWatermark: true, fetchedNotBefore: 1_000_400 });
    expect(plan.subBatches).toEqual([]);
    expect(plan.held).toEqual({ fromOffset: '0', releaseAt: 1_000_500, reason: 'young' });
  });

  it('when the time of the fetch is unknown, then the tail is held once', () => {
    expect(
      planSubBatches(documents(2), limits, { atHighWatermark: true, fetchedNotBefore: undefined }).held
        ?.reason,
    ).toBe('young');
  });

  it('when a batch is redelivered from a sub-batch boundary with more messages behind it, then the same sub-batches come out', () => {
    // First delivery: 0..9 at the end of the log, tail released. Redelivery after a crash that hit
    // before 8-9 was committed: the log has grown meanwhile.
    const first = planSubBatches(documents(10), limits, settled);
    const later = [...documents(10), ...documents(5, 10, 1_000_600)];
    const again = planSubBatches(later.slice(8), limits, settled);
    expect(ranges(first).at(-1)).toBe('8-9:tail');
    expect(ranges(again)[0]).toBe('8-9:time');
  });
});

describe('one operation per document in a sub-batch', () => {
  const doc = (id: string, op: 'upsert' | 'delete', offset: string, collection?: string): DocumentInput => ({
    id,
    op,
    version: 1,
    offset,
    ...(collection ? { collection } : {}),
  });

  it('when an id appears more than once, then only its last operation is kept, in the order of the last ones', () => {
    const kept = lastOperationPerDocument([
      doc('a', 'upsert', '0'),
      doc('b', 'upsert', '1'),
      doc('a', 'delete', '2'),
      doc('c', 'upsert', '3'),
    ]);
    expect(kept.map((d) => `${d.id}@${d.offset}`)).toEqual(['b@1', 'a@2', 'c@3']);
  });

  it('when one id is written to two collections, then both operations are kept', () => {
    expect(
      lastOperationPerDocument([doc('a', 'upsert', '0', 'x'), doc('a', 'upsert', '1', 'y')]),
    ).toHaveLength(2);
  });

  it('when a sub-batch repeats an id, then its workflow input holds one document for it', () => {
    const msgs = [
      message(0, { id: 'a', text: 'old' }),
      message(1, { id: 'a', op: 'delete' }),
      message(2, { id: 'a', text: 'new' }),
    ];
    const plan = planSubBatches(msgs, limits, settled);
    expect(plan.subBatches[0]!.documents).toEqual([
      { id: 'a', op: 'upsert', text: 'new', version: 1_000_000, offset: '2' },
    ]);
    expect(plan.subBatches[0]!.messages).toHaveLength(3);
  });
});
