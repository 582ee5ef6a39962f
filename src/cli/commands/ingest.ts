import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.ts';
import { lastOperationPerDocument } from '../../../consumers/sub-batch-plan.ts';
import { parseDocumentMessage } from '../../messages/index.ts';
import { connectTemporal, requireWorker } from '../../temporal/client.ts';
import { ingestDirect } from '../../temporal/ingest-client.ts';
import type { DocumentInput } from '../../../workflows/contracts.ts';
import { UsageError, type Command } from '../command.ts';
import { ProgressBar } from '../progress.ts';
import { documentFiles, readJsonLines } from '../../messages/jsonl-file.ts';

export const ingestCommand: Command = {
  path: ['ingest'],
  summary: 'Index documents through the Temporal client directly (bypassing Kafka)',
  usage: `Usage: embedstream ingest <file.jsonl|dir> [--collection NAME] [--batch 64] [--concurrency 4]

Lines are documents as on the documents topic ({id, text, title?, metadata?, op?}, or BEIR _id/title/text).
Invalid lines are reported with their line number and skipped; of lines that repeat an id, the later
one is indexed. Needs workers running ("embedstream run").`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        collection: { type: 'string' },
        batch: { type: 'string', default: '64' },
        concurrency: { type: 'string', default: '4' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('Give one .jsonl file or directory.');
    const batchSize = Number(values.batch);
    const concurrency = Number(values.concurrency);
    if (!(batchSize >= 1 && batchSize <= 1000)) throw new UsageError('--batch must be from 1 to 1000.');
    if (!(concurrency >= 1 && concurrency <= 64)) throw new UsageError('--concurrency must be from 1 to 64.');
    const config = loadConfig();
    const documents: DocumentInput[] = [];
    let invalid = 0;
    const version = Date.now();
    for (const file of await documentFiles(positionals[0]!)) {
      for await (const { text, lineNumber } of readJsonLines(file)) {
        const parsed = parseDocumentMessage(text);
        if (!parsed.ok) {
          invalid += 1;
          if (invalid <= 10) console.error(`${file}:${lineNumber}: ${parsed.error.message}`);
          continue;
        }
        const collection = values.collection ?? parsed.value.collection;
        documents.push({ ...parsed.value, version, ...(collection ? { collection } : {}) });
      }
    }
    if (invalid > 10) console.error(`… and ${invalid - 10} more invalid lines`);
    // Every line gets the same version, so of two lines with one id only the later one is sent:
    // in one batch the earlier one's extra chunks would stay, in batches running side by side
    // either could be applied last.
    const latest = lastOperationPerDocument(documents);
    const superseded = documents.length - latest.length;
    const client = await connectTemporal(config);
    try {
      await requireWorker(client, config, config.taskQueueIngest, 'TASK_QUEUE_INGEST');
      const bar = new ProgressBar('ingest', latest.length);
      const summary = await ingestDirect(client, config, latest, {
        batchSize,
        concurrency,
        onBatchDone: (n) => bar.tick(n),
      });
      bar.done('documents');
      console.log(
        `upserted ${summary.upserted}, deleted ${summary.deleted}, chunks ${summary.chunks}, ` +
          `failed ${summary.failed.length} (sent to ${config.topicDocumentsDlq}), invalid lines ${invalid}` +
          (superseded > 0 ? `, superseded ${superseded} (an id repeated on a later line)` : ''),
      );
      return summary.failed.length + invalid > 0 ? 1 : 0;
    } finally {
      await client.connection.close();
    }
  },
};
