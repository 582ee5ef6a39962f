import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import {
  connectAdmin,
  createKafka,
  explainKafkaError,
  MessageProducer,
  publishDocuments,
  requireTopics,
} from '../../kafka/index.ts';
import { countJsonLines, documentFiles } from '../../messages/index.ts';
import { UsageError, type Command } from '../command.ts';
import { ProgressBar } from '../progress.ts';

// A few examples say what is wrong; hundreds would bury the summary.
const SHOWN_INVALID = 10;

export const publishCommand: Command = {
  path: ['publish'],
  summary: 'Publish documents from a JSON-lines file or directory to Kafka',
  usage: `Usage: embedstream publish <file.jsonl|dir> [--delete] [--topic NAME] [--batch 500]

Publishes one document per line, keyed by its id, to TOPIC_DOCUMENTS (or --topic):
  {"id": "…", "text": "…", "title": "…", "metadata": {…}, "collection": "…"}
BEIR corpus lines ({"_id": …, "title": …, "text": …}) are taken as they are. A directory publishes
its corpus.jsonl when it has one (a BEIR dataset), else every *.jsonl file in it.

  --delete     publish a deletion of each id in the file instead
  --topic      topic to publish to (default: TOPIC_DOCUMENTS)
  --batch      messages per send (default 500)

Lines that are not valid documents are reported with their line number and skipped (exit code 1).`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        delete: { type: 'boolean', default: false },
        topic: { type: 'string' },
        batch: { type: 'string', default: '500' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('Give one JSON-lines file or directory to publish.');
    const target = positionals[0]!;
    const batchMessages = Number(values.batch);
    if (!Number.isInteger(batchMessages) || batchMessages < 1)
      throw new UsageError('--batch must be a positive integer.');
    const config = loadConfig();
    const topic = values.topic ?? config.topicDocuments;

    let files: string[];
    try {
      files = await documentFiles(target);
    } catch (err) {
      throw new UsageError(`Cannot read ${target}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (files.length === 0) throw new UsageError(`${target} holds no .jsonl file.`);

    const kafka = createKafka(config, { clientIdSuffix: '-cli', logLevel: 'error', retryProfile: 'cli' });
    const admin = kafka.admin();
    const producer = new MessageProducer(kafka);
    try {
      await connectAdmin(admin, config.kafkaBrokers);
      await requireTopics(admin, [topic]);
      await producer.connect();
      let total = 0;
      for (const file of files) total += await countJsonLines(file);
      const mode = values.delete ? 'delete' : 'upsert';
      const bar = new ProgressBar(
        `publish ${mode === 'delete' ? 'deletions' : 'documents'} to ${topic}`,
        total,
      );
      const invalid: string[] = [];
      const result = await publishDocuments(files, {
        producer,
        topic,
        mode,
        batchMessages,
        onSent: (n) => bar.tick(n),
        onInvalid: (where, reason) => invalid.push(`  ${where}: ${reason}`),
      });
      bar.done(mode === 'delete' ? 'deletions' : 'documents');
      if (result.skipped > 0) {
        const more = invalid.length > SHOWN_INVALID ? `\n  … and ${invalid.length - SHOWN_INVALID} more` : '';
        console.error(
          `Skipped ${result.skipped} invalid line(s):\n${invalid.slice(0, SHOWN_INVALID).join('\n')}${more}`,
        );
        return 1;
      }
      return 0;
    } catch (err) {
      const explained = explainKafkaError(err);
      if (!explained) throw err;
      console.error(explained);
      return 1;
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  },
};
