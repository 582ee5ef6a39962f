import { loadConfig } from '../../config/index.ts';
import {
  connectAdmin,
  createKafka,
  describeTopics,
  ensureTopics,
  explainKafkaError,
  topicSpecs,
} from '../../kafka/index.ts';
import { UsageError, type Command } from '../command.ts';

function cliKafka() {
  const config = loadConfig();
  return {
    config,
    kafka: createKafka(config, { clientIdSuffix: '-cli', logLevel: 'error', retryProfile: 'cli' }),
  };
}

async function explained(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    const message = explainKafkaError(err);
    if (!message) throw err;
    console.error(message);
    return 1;
  }
}

export const topicsCreateCommand: Command = {
  path: ['topics', 'create'],
  summary: 'Create the Kafka topics of the pipeline (idempotent)',
  usage: `Usage: embedstream topics create

Creates TOPIC_DOCUMENTS, TOPIC_DOCUMENTS_DLQ, TOPIC_QUERIES, TOPIC_QUERY_RESULTS and
TOPIC_QUERIES_DLQ with TOPIC_PARTITIONS partitions each, when they do not exist yet. Existing topics
are left as they are: changing their partitions would move keys and break per-document order.`,
  async run(argv) {
    if (argv.length > 0) throw new UsageError(`Unexpected argument ${argv[0]}.`);
    const { config, kafka } = cliKafka();
    return explained(async () => {
      const result = await ensureTopics(config, kafka);
      const existing = new Map(result.existing.map((t) => [t.topic, t]));
      for (const spec of topicSpecs(config)) {
        const had = existing.get(spec.topic);
        const state = had
          ? `exists, ${had.partitions} partitions`
          : `created, ${spec.numPartitions} partitions`;
        const warn =
          had && had.partitions !== spec.numPartitions
            ? ` (TOPIC_PARTITIONS is ${spec.numPartitions}; left unchanged)`
            : '';
        console.log(`${spec.topic.padEnd(24)} ${state}${warn}  — ${spec.purpose}`);
      }
      return 0;
    });
  },
};

export const topicsListCommand: Command = {
  path: ['topics', 'list'],
  summary: 'List Kafka topics with their partitions and message counts',
  usage: `Usage: embedstream topics list

Lists the broker's topics (internal ones left out) with partitions and the messages they hold;
the pipeline's own topics are marked with *.`,
  async run(argv) {
    if (argv.length > 0) throw new UsageError(`Unexpected argument ${argv[0]}.`);
    const { config, kafka } = cliKafka();
    return explained(async () => {
      const admin = kafka.admin();
      await connectAdmin(admin, config.kafkaBrokers);
      try {
        const ours = new Set(topicSpecs(config).map((s) => s.topic));
        const topics = await describeTopics(admin);
        if (topics.length === 0) console.log('No topics. Create them with "embedstream topics create".');
        const width = Math.max(5, ...topics.map((t) => t.topic.length));
        if (topics.length > 0) console.log(`  ${'topic'.padEnd(width)}  partitions  messages`);
        for (const t of topics)
          console.log(
            `${ours.has(t.topic) ? '*' : ' '} ${t.topic.padEnd(width)}  ${String(t.partitions).padStart(10)}  ${String(t.messages).padStart(8)}`,
          );
        const missing = [...ours].filter((t) => !topics.some((x) => x.topic === t));
        if (missing.length > 0)
          console.log(`Missing: ${missing.join(', ')} — run "embedstream topics create".`);
        return 0;
      } finally {
        await admin.disconnect();
      }
    });
  },
};
