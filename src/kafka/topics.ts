import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import type { Config } from '../config/index.ts';
import { connectAdmin } from './errors.ts';

/** A topic this service reads or writes, and why it is configured as it is. */
export interface TopicSpec {
  topic: string;
  numPartitions: number;
  purpose: string;
  configEntries: { name: string; value: string }[];
}

export type TopicConfig = Pick<
  Config,
  | 'topicDocuments'
  | 'topicDocumentsDlq'
  | 'topicQueries'
  | 'topicQueriesDlq'
  | 'topicQueryResults'
  | 'topicPartitions'
>;

/** The topics of the pipeline, each with TOPIC_PARTITIONS partitions. */
export function topicSpecs(config: TopicConfig): TopicSpec[] {
  const n = config.topicPartitions;
  // Dead letters wait for a person to look at them; they must not expire before someone does.
  const keepForever = [{ name: 'retention.ms', value: '-1' }];
  return [
    {
      topic: config.topicDocuments,
      numPartitions: n,
      purpose: 'document upserts and deletions, keyed by id',
      // The broker stamps each message as it appends it, so a document's versions (the timestamps)
      // rise with its offsets whatever the producers' clocks say, and the consumer's time-based cut
      // of sub-batches is the same on every redelivery.
      configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
    },
    {
      topic: config.topicDocumentsDlq,
      numPartitions: n,
      purpose: 'documents that cannot be processed, with the reason',
      configEntries: keepForever,
    },
    { topic: config.topicQueries, numPartitions: n, purpose: 'search queries', configEntries: [] },
    {
      topic: config.topicQueryResults,
      numPartitions: n,
      purpose: 'answers to queries, keyed by requestId',
      configEntries: [],
    },
    {
      topic: config.topicQueriesDlq,
      numPartitions: n,
      purpose: 'queries without a requestId to answer to',
      configEntries: keepForever,
    },
  ];
}

/** A topic as the broker has it. */
export interface TopicInfo {
  topic: string;
  partitions: number;
  /** Messages currently held: the sum over partitions of high watermark minus low watermark. */
  messages: number;
}

export interface EnsureTopicsResult {
  created: string[];
  /** Topics that were already there, as they are (their partition count is never changed). */
  existing: TopicInfo[];
}

/** Reads partition counts and message counts of `topics` (all topics when omitted). */
export async function describeTopics(admin: Admin, topics?: string[]): Promise<TopicInfo[]> {
  const names = topics ?? (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
  if (names.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  const infos = await Promise.all(
    metadata.topics.map(async (t) => {
      const offsets = await admin.fetchTopicOffsets(t.name);
      const messages = offsets.reduce((sum, o) => sum + (Number(o.high) - Number(o.low)), 0);
      return { topic: t.name, partitions: t.partitions.length, messages };
    }),
  );
  return infos.sort((a, b) => a.topic.localeCompare(b.topic));
}

/**
 * Creates the pipeline's topics that do not exist yet and leaves the others alone: idempotent, so
 * every start-up and every test may call it. Partitions of an existing topic are never changed,
 * since that would move keys to other partitions and break per-document ordering.
 */
export async function ensureTopics(
  config: TopicConfig & Pick<Config, 'kafkaBrokers'>,
  kafka: Kafka,
): Promise<EnsureTopicsResult> {
  const admin = kafka.admin();
  await connectAdmin(admin, config.kafkaBrokers);
  try {
    const specs = topicSpecs(config);
    const present = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = specs
      .filter((s) => !present.has(s.topic))
      .map((s) => ({ topic: s.topic, numPartitions: s.numPartitions, configEntries: s.configEntries }));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    const existing = await describeTopics(
      admin,
      specs.filter((s) => present.has(s.topic)).map((s) => s.topic),
    );
    return { created: missing.map((m) => m.topic), existing };
  } finally {
    await admin.disconnect();
  }
}
