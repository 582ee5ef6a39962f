import { describe, expect, it } from 'vitest';
import { spansFromOtlp, type OtlpTracesResponse } from '../../src/telemetry/report/jaeger-client.ts';

// Shaped like Jaeger's api_v3 answer: hex ids, 64-bit integers as strings, status as a number.
const body: OtlpTracesResponse = {
  result: {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'embedstream-worker' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                parentSpanId: '',
                name: 'RunActivity:embedAndUpsert',
                startTimeUnixNano: '1700000000000001500',
                endTimeUnixNano: '1700000000250003500',
                attributes: [
                  { key: 'embedstream.qdrant.points', value: { intValue: '42' } },
                  { key: 'embedstream.embed.padding_ratio', value: { doubleValue: 0.25 } },
                  { key: 'db.system.name', value: { stringValue: 'qdrant' } },
                  { key: 'ok', value: { boolValue: true } },
                ],
                links: [{ traceId: '11111111111111111111111111111111', spanId: '2222222222222222' }],
                status: { code: 2 },
              },
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'c7ad6b7169203331',
                parentSpanId: 'b7ad6b7169203331',
                name: 'qdrant.upsert',
                startTimeUnixNano: '1700000000100000000',
                endTimeUnixNano: '1700000000100000999',
              },
            ],
          },
        ],
      },
    ],
  },
};

describe('spansFromOtlp', () => {
  const [root, child] = spansFromOtlp(body);

  it('when a span has nanosecond timestamps, then start and duration are microseconds without rounding the duration', () => {
    expect(root!.startUs).toBe(1_700_000_000_000_001.5);
    expect(root!.durationUs).toBe(250_002);
    expect(child!.durationUs).toBe(0.999);
  });

  it('when attributes are typed values, then they become plain numbers, strings and booleans', () => {
    expect(root!.attributes).toEqual({
      'embedstream.qdrant.points': 42,
      'embedstream.embed.padding_ratio': 0.25,
      'db.system.name': 'qdrant',
      ok: true,
    });
  });

  it('when a parent id is empty, then the span is a root; status 2 marks an error; links keep their trace ids', () => {
    expect(root!.parentSpanId).toBeUndefined();
    expect(child!.parentSpanId).toBe('b7ad6b7169203331');
    expect([root!.error, child!.error]).toEqual([true, false]);
    expect(root!.linkedTraceIds).toEqual(['11111111111111111111111111111111']);
    expect(root!.service).toBe('embedstream-worker');
  });

  it('when the answer is empty, then there are no spans', () => {
    expect(spansFromOtlp({})).toEqual([]);
  });
});
