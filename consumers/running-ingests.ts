import { setMaxListeners } from 'node:events';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { INGEST_WORKFLOW, type DocumentInput, type IngestBatchInput } from '../workflows/contracts.ts';
import { sleep } from './workflow-start.ts';

/** An ingest workflow still running, with the documents it writes or deletes. */
export interface RunningIngest {
  workflowId: string;
  documents: DocumentInput[];
}

/**
 * The ingest workflows of one partition that are still running, whoever started them, with each
 * one's input: those Temporal's visibility store lists (it lags the truth by up to a second or so)
 * and those of `named` (from the committed offset, see commit-metadata.ts) that it does not list
 * yet, asked for one by one. A consumer that takes a partition over waits for these like for its
 * own (see DocumentOrder).
 */
export async function runningIngests(
  client: Client,
  taskQueue: string,
  topic: string,
  partition: number,
  named: readonly string[] = [],
): Promise<RunningIngest[]> {
  // Ids are `ingest-<topic>-<partition>-<from>-<to>`; the prefix also matches topics that extend
  // this one's name with `-<partition>-…`, so each input's own source decides.
  const prefix = `ingest-${topic}-${partition}-`.replace(/'/g, "\\'");
  const query =
    `WorkflowType = '${INGEST_WORKFLOW}' AND ExecutionStatus = 'Running' AND ` +
    `TaskQueue = '${taskQueue.replace(/'/g, "\\'")}' AND WorkflowId STARTS_WITH '${prefix}'`;
  const found: RunningIngest[] = [];
  const listed = new Set<string>();
  const note = (workflowId: string, input: IngestBatchInput | undefined) => {
    if (input?.source?.topic !== topic || input.source.partition !== partition) return;
    found.push({ workflowId, documents: input.documents });
  };
  for await (const execution of client.workflow.list({ query })) {
    listed.add(execution.workflowId);
    note(execution.workflowId, await inputOf(client, execution.workflowId));
  }
  for (const workflowId of named) {
    if (listed.has(workflowId)) continue;
    try {
      const { status } = await client.workflow.getHandle(workflowId).describe();
      if (status.name === 'RUNNING') note(workflowId, await inputOf(client, workflowId));
    } catch (err) {
      // Gone from Temporal (past its retention): it finished long ago.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return found;
}

/** The input a workflow was started with, from the first event of its history. */
async function inputOf(client: Client, workflowId: string): Promise<IngestBatchInput | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<IngestBatchInput>(payload) : undefined;
}

// How long to wait before asking again when Temporal could not be asked for a workflow's end.
const RETRY_AFTER_MS = 1000;

/**
 * Resolves once the workflow has finished, however it ended (it failed, was terminated, or is
 * gone), or once `signal` is aborted. Temporal being unreachable for a while is waited out: until
 * the end is known, the workflow still counts as running.
 */
export async function workflowEnd(client: Client, workflowId: string, signal: AbortSignal): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  // The wait's own signal, tied to `signal` only while it lasts: the client adds a listener to it
  // for every long poll of the history, and those end with the wait.
  const wait = new AbortController();
  setMaxListeners(0, wait.signal);
  const stop = () => wait.abort();
  signal.addEventListener('abort', stop);
  try {
    while (!wait.signal.aborted) {
      try {
        // Cancelled with the signal, before the consumer's owner closes the connection: a call
        // still waiting then would be retried on the closed channel.
        await client.withAbortSignal(wait.signal, () => handle.result());
        return;
      } catch (err) {
        if (err instanceof WorkflowFailedError || err instanceof WorkflowNotFoundError) return;
        await sleep(RETRY_AFTER_MS, wait.signal);
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
