import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config/index.ts';
import { connectTemporal, requireWorker } from '../../temporal/client.ts';
import {
  SEARCH_WORKFLOW,
  searchWorkflowId,
  type SearchAnswer,
  type SearchInput,
} from '../../../workflows/contracts.ts';
import type { searchQuery } from '../../../workflows/search-query.ts';
import { UsageError, type Command } from '../command.ts';

export const searchCommand: Command = {
  path: ['search'],
  summary: 'Search through the Temporal client directly (bypassing Kafka)',
  usage: `Usage: embedstream search "<text>" [--top-k 10] [--collection NAME] [--filter JSON] [--mmr] [--json]

Runs a search workflow on the search task queue and prints the best documents.
Needs workers running ("embedstream run").`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'top-k': { type: 'string', default: '10' },
        collection: { type: 'string' },
        filter: { type: 'string' },
        mmr: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    const text = positionals.join(' ').trim();
    if (!text) throw new UsageError('Give the text to search for.');
    const topK = Number(values['top-k']);
    if (!Number.isInteger(topK) || topK < 1 || topK > 100)
      throw new UsageError('--top-k must be an integer from 1 to 100.');
    let filter: Record<string, unknown> | undefined;
    if (values.filter) {
      try {
        filter = JSON.parse(values.filter) as Record<string, unknown>;
      } catch {
        throw new UsageError(
          '--filter must be a Qdrant filter as JSON, e.g. \'{"must":[{"key":"metadata.lang","match":{"value":"en"}}]}\'.',
        );
      }
    }
    const config = loadConfig();
    const client = await connectTemporal(config);
    try {
      await requireWorker(client, config, config.taskQueueSearch, 'TASK_QUEUE_SEARCH');
      const requestId = randomUUID();
      const input: SearchInput = {
        requestId,
        text,
        topK,
        mmr: values.mmr,
        receivedAt: Date.now(),
        ...(filter ? { filter } : {}),
        ...(values.collection ? { collection: values.collection } : {}),
      };
      const answer: SearchAnswer = await client.workflow.execute<typeof searchQuery>(SEARCH_WORKFLOW, {
        taskQueue: config.taskQueueSearch,
        workflowId: searchWorkflowId(requestId),
        args: [input],
        workflowExecutionTimeout: '2 minutes',
      });
      if (values.json) console.log(JSON.stringify(answer));
      else printAnswer(answer);
    } finally {
      await client.connection.close();
    }
  },
};

export function printAnswer(answer: SearchAnswer): void {
  if (answer.hits.length === 0) console.log('No matches.');
  answer.hits.forEach((h, i) => {
    console.log(
      `${String(i + 1).padStart(2)}. ${h.score.toFixed(4)}  ${h.id}${h.title ? `  ${h.title}` : ''}`,
    );
    if (h.snippet) console.log(`    ${h.snippet.slice(0, 160)}`);
  });
  console.log(`(${answer.tookMs} ms)`);
}
