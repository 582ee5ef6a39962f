import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { INGEST, PUBLISH } from './activity-options.ts';
import type { FailedDocument, IngestBatchInput, IngestBatchResult } from './contracts.ts';

const { ingestDocuments } = proxyActivities<Activities>(INGEST);
const { reportFailedDocuments } = proxyActivities<Activities>(PUBLISH);

function failureOf(err: unknown): { type: string; reason: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', reason: cause.message };
  return { type: 'Error', reason: cause instanceof Error ? cause.message : String(cause) };
}

/**
 * Indexes one sub-batch of the documents topic. Its id is derived from the Kafka offsets, so a
 * redelivered batch maps onto this same execution. Documents that cannot be indexed — bad input, or
 * still failing after every retry — go to the dead-letter topic with their reason: none is lost.
 */
export async function ingestBatch(input: IngestBatchInput): Promise<IngestBatchResult> {
  let result: IngestBatchResult;
  try {
    result = await ingestDocuments(input.documents);
  } catch (err) {
    const { type, reason } = failureOf(err);
    log.warn('ingest batch failed for good; dead-lettering its documents', { type, reason });
    const failed: FailedDocument[] = input.documents.map((d) => ({ id: d.id, type, reason }));
    result = { upserted: 0, deleted: 0, chunks: 0, failed };
  }
  if (result.failed.length > 0) {
    const failedIds = new Set(result.failed.map((f) => f.id));
    await reportFailedDocuments(
      input.documents.filter((d) => failedIds.has(d.id)),
      result.failed,
      input.source,
    );
  }
  return result;
}
