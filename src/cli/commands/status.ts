import { parseArgs } from 'node:util';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { Admin } from 'kafkajs';
import { loadConfig, type Config } from '../../config/index.ts';
import { createKafka } from '../../kafka/index.ts';
import { connectTemporal } from '../../temporal/client.ts';
import { INGEST_WORKFLOW, SEARCH_WORKFLOW } from '../../../workflows/contracts.ts';
import { documentsGroupId, queriesGroupId } from '../../../consumers/index.ts';
import type { Command } from '../command.ts';

interface Line {
  name: string;
  ok: boolean;
  detail: string;
}

async function probe(name: string, fn: () => Promise<string>): Promise<Line> {
  try {
    return { name, ok: true, detail: await fn() };
  } catch (err) {
    return { name, ok: false, detail: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

/** Messages in `topic` the group has not committed yet, summed over partitions. */
async function lagOf(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [latest, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  let lag = 0;
  for (const p of latest) {
    const at = done.get(p.partition) ?? -1;
    lag += Number(p.high) - (at < 0 ? Number(p.low) : at);
  }
  return lag;
}

async function collect(config: Config): Promise<Line[]> {
  const kafka = createKafka(config, { clientIdSuffix: '-status', retryProfile: 'cli', logLevel: 'error' });
  const admin = kafka.admin();
  const qdrant = new QdrantClient({
    url: config.qdrantUrl,
    checkCompatibility: false,
    ...(config.qdrantApiKey ? { apiKey: config.qdrantApiKey } : {}),
  });
  const lines: Line[] = [];
  lines.push(
    await probe('kafka', async () => {
      await admin.connect();
      const topics = await admin.listTopics();
      return `${config.kafkaBrokers.join(',')}, ${topics.length} topics`;
    }),
  );
  if (lines[0]!.ok) {
    const present = new Set(await admin.listTopics());
    const missing = [config.topicDocuments, config.topicQueries, config.topicDocumentsDlq].filter(
      (t) => !present.has(t),
    );
    if (missing.length > 0) {
      lines.push({
        name: 'topics',
        ok: false,
        detail: `missing ${missing.join(', ')}: run "embedstream topics create"`,
      });
    } else {
      const lag = async (group: string, topic: string) =>
        `${await lagOf(admin, group, topic)} messages (group ${group})`;
      lines.push(await probe('lag documents', () => lag(documentsGroupId(config), config.topicDocuments)));
      lines.push(await probe('lag queries', () => lag(queriesGroupId(config), config.topicQueries)));
      lines.push(
        await probe('dead letters', async () => {
          const offsets = await admin.fetchTopicOffsets(config.topicDocumentsDlq);
          return `${offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0)} in ${config.topicDocumentsDlq}`;
        }),
      );
    }
  }
  await admin.disconnect().catch(() => undefined);
  lines.push(
    await probe('temporal', async () => {
      const client = await connectTemporal(config);
      try {
        const running = async (type: string, queue: string) =>
          (
            await client.workflow.count(
              `WorkflowType = '${type}' AND ExecutionStatus = 'Running' AND TaskQueue = '${queue}'`,
            )
          ).count;
        const ingest = await running(INGEST_WORKFLOW, config.taskQueueIngest);
        const search = await running(SEARCH_WORKFLOW, config.taskQueueSearch);
        return `${config.temporalAddress}, backlog: ${ingest} ingest and ${search} search workflows running`;
      } finally {
        await client.connection.close();
      }
    }),
  );
  lines.push(
    await probe('qdrant', async () => {
      const { collections } = await qdrant.getCollections();
      const counts = await Promise.all(
        collections.map(async (c) => `${c.name}=${(await qdrant.count(c.name, { exact: true })).count}`),
      );
      return `${config.qdrantUrl}, points: ${counts.join(' ') || 'no collections'}`;
    }),
  );
  lines.push(
    await probe('jaeger', async () => {
      const res = await fetch(`${config.jaegerQueryUrl}/api/services`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { data: string[] | null };
      return `${config.jaegerQueryUrl}, services: ${(body.data ?? []).join(', ')}`;
    }),
  );
  return lines;
}

export const statusCommand: Command = {
  path: ['status'],
  summary: 'Stack health, consumer lag, workflow backlog, collection counts',
  usage: `Usage: embedstream status [--json]

Exit code 0 when every dependency answers, 1 otherwise.`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
    const lines = await collect(loadConfig());
    if (values.json) console.log(JSON.stringify(lines));
    else for (const l of lines) console.log(`${l.ok ? 'ok  ' : 'DOWN'}  ${l.name.padEnd(13)} ${l.detail}`);
    return lines.every((l) => l.ok) ? 0 : 1;
  },
};
