import type { Admin } from 'kafkajs';
import { ingestWorkflowId } from '../workflows/contracts.ts';

/**
 * What the document consumer writes beside each committed offset: the partition's ingest workflows
 * still running at that moment, newest first, as their offset ranges (`<from>-<to>`; the topic and
 * partition are the commit's own). A consumer that takes the partition over reads them back with
 * the committed offset and waits for those that touch its documents (see DocumentOrder).
 *
 * Temporal's visibility store, which the takeover asks too, learns of a started workflow a second
 * or so late: a workflow the previous owner started just before handing the partition over can be
 * missing from it. The commit that followed that start names it, and the committed offset is read
 * back as it was written.
 */
interface RunningMetadata {
  running: string[];
}

// Brokers refuse metadata longer than `offset.metadata.max.bytes` (4096 by default) and fail the
// commit. A quarter of that holds about 70 ranges; INGEST_MAX_BACKLOG is 32 across all partitions.
// When more run, the oldest are left out: they are the ones visibility has long seen.
export const COMMIT_METADATA_MAX_BYTES = 1024;

const RANGE = /^\d+-\d+$/;

/**
 * The metadata for a commit of `topic`/`partition` while `workflowIds` (newest first) run; null
 * when none of them is an ingest workflow of that partition.
 */
export function encodeRunning(
  topic: string,
  partition: number,
  workflowIds: readonly string[],
): string | null {
  // `ingest-<topic>-<partition>-`: the id of an empty range, less its own `-`.
  const prefix = ingestWorkflowId({ topic, partition, fromOffset: '', toOffset: '' }).slice(0, -1);
  const metadata: RunningMetadata = { running: [] };
  let bytes = Buffer.byteLength(JSON.stringify(metadata));
  for (const id of workflowIds) {
    const range = id.startsWith(prefix) ? id.slice(prefix.length) : '';
    if (!RANGE.test(range)) continue;
    // The range, its quotes and a comma.
    bytes += range.length + 3;
    if (bytes > COMMIT_METADATA_MAX_BYTES) break;
    metadata.running.push(range);
  }
  return metadata.running.length > 0 ? JSON.stringify(metadata) : null;
}

/**
 * The workflow ids named by a committed offset's metadata (see `encodeRunning`); none when the
 * metadata is empty or was written by something else, such as a reset with kafka-consumer-groups.
 */
export function decodeRunning(
  topic: string,
  partition: number,
  metadata: string | null | undefined,
): string[] {
  if (!metadata) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return [];
  }
  const running = (parsed as Partial<RunningMetadata> | null)?.running;
  if (!Array.isArray(running)) return [];
  return running
    .filter((r): r is string => typeof r === 'string' && RANGE.test(r))
    .map((r) => {
      const [fromOffset, toOffset] = r.split('-') as [string, string];
      return ingestWorkflowId({ topic, partition, fromOffset, toOffset });
    });
}

/** The workflow ids named beside `groupId`'s committed offset of `topic`/`partition`. */
export async function committedRunning(
  admin: Pick<Admin, 'fetchOffsets'>,
  groupId: string,
  topic: string,
  partition: number,
): Promise<string[]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const metadata = committed?.partitions.find((p) => p.partition === partition)?.metadata;
  return decodeRunning(topic, partition, metadata);
}
