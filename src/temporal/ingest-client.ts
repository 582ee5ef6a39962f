import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.ts';
import {
  INGEST_WORKFLOW,
  type DocumentInput,
  type IngestBatchInput,
  type IngestBatchResult,
} from '../../workflows/contracts.ts';
import type { ingestBatch } from '../../workflows/ingest-batch.ts';

export interface DirectIngestOptions {
  /** Documents per workflow; the same default as the Kafka consumer's sub-batches. */
  batchSize?: number;
  /** Workflows in flight at once. */
  concurrency?: number;
  onBatchDone?: (documents: number, result: IngestBatchResult) => void;
}

export interface DirectIngestSummary {
  upserted: number;
  deleted: number;
  chunks: number;
  failed: IngestBatchResult['failed'];
}

/**
 * Ingests documents through the Temporal client, bypassing Kafka: one ingest workflow per batch on
 * the ingest task queue, a few at a time. Workflow ids hash the batch's content, so running the same
 * input twice while the first run is still going starts nothing new. Give one operation per
 * document (`lastOperationPerDocument`): batches run side by side, so of two in different batches
 * either could be applied last.
 */
export async function ingestDirect(
  client: Client,
  config: Config,
  documents: readonly DocumentInput[],
  options: DirectIngestOptions = {},
): Promise<DirectIngestSummary> {
  const batchSize = options.batchSize ?? 64;
  const concurrency = options.concurrency ?? 4;
  const batches: DocumentInput[][] = [];
  for (let i = 0; i < documents.length; i += batchSize) batches.push(documents.slice(i, i + batchSize));
  const summary: DirectIngestSummary = { upserted: 0, deleted: 0, chunks: 0, failed: [] };
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const input: IngestBatchInput = { documents: batch };
      const hash = createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 24);
      const result: IngestBatchResult = await client.workflow.execute<typeof ingestBatch>(INGEST_WORKFLOW, {
        taskQueue: config.taskQueueIngest,
        workflowId: `ingest-direct-${hash}`,
        args: [input],
      });
      summary.upserted += result.upserted;
      summary.deleted += result.deleted;
      summary.chunks += result.chunks;
      summary.failed.push(...result.failed);
      options.onBatchDone?.(batch.length, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, lane));
  return summary;
}
