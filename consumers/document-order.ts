import type { DocumentInput } from '../workflows/contracts.ts';
import { sleep } from './workflow-start.ts';

interface InFlight {
  /** The documents the workflow writes or deletes (see `documentKey`). */
  documents: Set<string>;
  /** Settles once the workflow has finished, whatever its outcome. */
  finished: Promise<void>;
}

export interface TurnOptions {
  /** Aborted when the consumer stops: the wait ends at once, with false. */
  signal: AbortSignal;
  /** Checked between waits; false ends the wait (the partition was lost or the consumer stopped). */
  shouldContinue: () => boolean;
  /** Called while waiting, to keep the consumer's group session alive. */
  heartbeat: () => Promise<void>;
  /** How often to heartbeat and check `shouldContinue` while waiting. */
  everyMs?: number;
}

/** A document is its id within its collection. */
function documentKey(doc: Pick<DocumentInput, 'id' | 'collection'>): string {
  return JSON.stringify([doc.collection ?? '', doc.id]);
}

/**
 * Keeps the operations on each document in the order of the log. The ingest workflows of one
 * partition run side by side, so a later operation on a document could be applied before an
 * earlier one still running: a delete before the embedding of the upsert it follows, which would
 * then bring the document back; or two versions with the same timestamp, either of which could be
 * written last. A sub-batch that touches a document of an earlier sub-batch of its partition that
 * is still running therefore starts only once that one has finished. Sub-batches with no document
 * in common still run side by side.
 *
 * It knows the workflows this process started or found already started, and those it was told of
 * when it took a partition over (see `runningIngests`).
 */
export class DocumentOrder {
  readonly #workflowEnd: (workflowId: string) => Promise<unknown>;
  /** Per partition (`topic:partition`), the workflows not known to have finished. */
  readonly #running = new Map<string, Map<string, InFlight>>();

  constructor(workflowEnd: (workflowId: string) => Promise<unknown>) {
    this.#workflowEnd = workflowEnd;
  }

  /** Records a started ingest workflow of `partition` and forgets it once it has finished. */
  noteStarted(partition: string, workflowId: string, documents: readonly DocumentInput[]): void {
    let running = this.#running.get(partition);
    if (!running) this.#running.set(partition, (running = new Map<string, InFlight>()));
    if (running.has(workflowId)) return;
    const finished = this.#workflowEnd(workflowId).then(
      () => undefined,
      () => undefined,
    );
    running.set(workflowId, { documents: new Set(documents.map(documentKey)), finished });
    void finished.then(() => running.delete(workflowId));
  }

  /** The workflows of `partition` not known to have finished, the latest noted first. */
  running(partition: string): string[] {
    return [...(this.#running.get(partition)?.keys() ?? [])].reverse();
  }

  /** The running workflows of `partition` that touch any of `documents`. */
  blockers(partition: string, documents: readonly DocumentInput[]): string[] {
    const running = this.#running.get(partition);
    if (!running || running.size === 0) return [];
    const keys = documents.map(documentKey);
    return [...running].filter(([, w]) => keys.some((k) => w.documents.has(k))).map(([id]) => id);
  }

  /**
   * Resolves true once no running workflow of `partition` touches any of `documents`; false when
   * the wait was ended first (see TurnOptions).
   */
  async waitForTurn(
    partition: string,
    documents: readonly DocumentInput[],
    options: TurnOptions,
  ): Promise<boolean> {
    const everyMs = options.everyMs ?? 1000;
    for (let waited = false; ; waited = true) {
      const blockers = this.blockers(partition, documents);
      if (blockers.length === 0) return true;
      if (options.signal.aborted || !options.shouldContinue()) return false;
      if (waited) await options.heartbeat();
      const running = this.#running.get(partition)!;
      await Promise.race([
        Promise.all(blockers.map((id) => running.get(id)!.finished)),
        sleep(everyMs, options.signal),
      ]);
    }
  }
}
