import type { KafkaMessage } from 'kafkajs';
import type { BatchPayload } from '../../../consumers/document-batch-handler.ts';

/** A consumed message as kafkajs hands it over: Buffers, string offsets and timestamps. */
export function message(
  offset: number,
  value: string | object | null,
  options: { key?: string | null; timestamp?: number } = {},
): KafkaMessage {
  const text = value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
  const key =
    options.key === undefined
      ? value && typeof value === 'object' && 'id' in value
        ? String(value.id)
        : null
      : options.key;
  return {
    key: key === null ? null : Buffer.from(key),
    value: text === null ? null : Buffer.from(text),
    timestamp: String(options.timestamp ?? 1_000_000),
    offset: String(offset),
    attributes: 0,
    headers: {},
  } satisfies KafkaMessage;
}

/** Documents `{id: d<i>, text}` at consecutive offsets, all with one timestamp. */
export function documents(count: number, first = 0, timestamp = 1_000_000): KafkaMessage[] {
  return Array.from({ length: count }, (_, i) =>
    message(first + i, { id: `d${first + i}`, text: `text ${first + i}` }, { timestamp }),
  );
}

/** An `eachBatch` payload that records what the handler does with it. */
export function fakePayload(
  messages: KafkaMessage[],
  options: { highWatermark?: number; topic?: string; partition?: number } = {},
) {
  const events: string[] = [];
  /** The offsets committed, with the metadata beside them. */
  const commits: { partition: number; offset: string; metadata: string | null }[] = [];
  const state = { running: true, stale: false, paused: false, resumed: 0 };
  const last = messages[messages.length - 1];
  const payload: BatchPayload = {
    batch: {
      topic: options.topic ?? 'docs',
      partition: options.partition ?? 0,
      highWatermark: String(options.highWatermark ?? (last ? Number(last.offset) + 1 : 0)),
      messages,
      lastOffset: () => last?.offset ?? '-1',
    },
    resolveOffset: (offset) => void events.push(`resolve ${offset}`),
    heartbeat: () => Promise.resolve(void events.push('heartbeat')),
    commitOffsetsIfNecessary: (offsets) => {
      for (const p of offsets?.topics.flatMap((t) => t.partitions) ?? [])
        commits.push({ metadata: null, ...p });
      return Promise.resolve(void events.push('commit'));
    },
    isRunning: () => state.running,
    isStale: () => state.stale,
    pause: () => {
      state.paused = true;
      events.push('pause');
      return () => {
        state.resumed += 1;
      };
    },
  };
  return { payload, events, state, commits };
}
