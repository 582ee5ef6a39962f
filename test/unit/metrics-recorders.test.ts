import { describe, expect, it } from 'vitest';
import { paddingRatio, recordCacheLookup, recordEmbedBatch } from '../../src/metrics/recorders.ts';
import { registry } from '../../src/metrics/registry.ts';

/** A series' value; histogram series (`_sum`, `_bucket`) are read from their base metric. */
async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric =
    registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(sum|count|bucket)$/, ''));
  const data = await metric!.get();
  const values = data.values as {
    value: number;
    labels: Record<string, string | number | undefined>;
    metricName?: string;
  }[];
  return values.find(
    (v) =>
      (v.metricName ?? name) === name && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
  )?.value;
}

describe('paddingRatio', () => {
  it('when 600 of 1000 computed tokens are real, then 0.4 of them were padding', () => {
    expect(paddingRatio(600, 1000)).toBeCloseTo(0.4, 12);
  });

  it('when the batch is empty or the figures are inconsistent, then it stays within [0, 1]', () => {
    expect(paddingRatio(0, 0)).toBe(0);
    expect(paddingRatio(10, 5)).toBe(0);
  });
});

describe('recordEmbedBatch', () => {
  it('when a batch is recorded, then sizes, tokens, tokens per second and padding are observed', async () => {
    recordEmbedBatch({
      lane: 'ingest',
      texts: 16,
      realTokens: 1200,
      paddedTokens: 2000,
      inferenceSeconds: 0.5,
      queuedSeconds: 0.1,
    });
    expect(await value('embedstream_embed_tokens_total', { lane: 'ingest', kind: 'real' })).toBe(1200);
    expect(await value('embedstream_embed_tokens_total', { lane: 'ingest', kind: 'padded' })).toBe(2000);
    expect(await value('embedstream_embed_tokens_per_second', { lane: 'ingest' })).toBe(2400);
    expect(await value('embedstream_embed_batch_texts_sum', { lane: 'ingest' })).toBe(16);
    expect(await value('embedstream_embed_padding_ratio_sum', { lane: 'ingest' })).toBeCloseTo(0.4, 12);
    expect(await value('embedstream_embed_padding_ratio_bucket', { lane: 'ingest', le: '0.4' })).toBe(1);
    expect(await value('embedstream_embed_padding_ratio_bucket', { lane: 'ingest', le: '0.3' })).toBe(0);
    expect(await value('embedstream_embed_batch_duration_seconds_sum', { lane: 'ingest' })).toBe(0.5);
  });
});

describe('recordCacheLookup', () => {
  it('when 3 of 4 lookups hit, then the ratio is 0.75 and the counters split by result', async () => {
    for (const hit of [true, false, true, true]) recordCacheLookup(hit);
    expect(await value('embedstream_query_cache_hit_ratio')).toBe(0.75);
    expect(await value('embedstream_query_cache_lookups_total', { result: 'hit' })).toBe(3);
    expect(await value('embedstream_query_cache_lookups_total', { result: 'miss' })).toBe(1);
  });
});

describe('registry', () => {
  it('when scraped, then default process metrics (event-loop lag, resident memory) are there with every embedstream metric', async () => {
    const text = await registry.metrics();
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_resident_memory_bytes');
    for (const name of [
      'embedstream_ingest_documents_total',
      'embedstream_ingest_chunks_total',
      'embedstream_consumer_lag_messages',
      'embedstream_workflow_backlog',
      'embedstream_workflow_start_duration_seconds',
      'embedstream_qdrant_request_duration_seconds',
      'embedstream_retries_total',
      'embedstream_dlq_messages_total',
      'embedstream_search_duration_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });
});
