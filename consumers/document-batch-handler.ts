import type { EachBatchPayload, PartitionOffset } from 'kafkajs';
import type { DeadLetterPublisher } from '../src/kafka/dead-letter.ts';
import type { Logger } from '../src/kafka/logger.ts';
import { consumerLag, messagesConsumed } from '../src/metrics/registry.ts';
import { traceBatch, type TracedBatch } from '../src/telemetry/kafka-context.ts';
import {
  INGEST_WORKFLOW,
  ingestWorkflowId,
  type IngestBatchInput,
  type KafkaSource,
} from '../workflows/contracts.ts';
import { encodeRunning } from './commit-metadata.ts';
import type { DocumentOrder } from './document-order.ts';
import type { RunningIngest } from './running-ingests.ts';
import type { PausePartition } from './ingest-backpressure.ts';
import { planSubBatches, type SubBatch, type SubBatchLimits } from './sub-batch-plan.ts';
import { sleep, startUntilAcknowledged, type WorkflowStarter } from './workflow-start.ts';

/** The parts of kafkajs' `eachBatch` payload the handler uses (tests pass fakes). */
export type BatchPayload = Pick<
  EachBatchPayload,
  'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary' | 'isRunning' | 'isStale' | 'pause'
> & {
  batch: Pick<EachBatchPayload['batch'], 'topic' | 'partition' | 'highWatermark' | 'messages' | 'lastOffset'>;
};

export interface DocumentBatchDeps {
  starter: WorkflowStarter;
  deadLetters: Pick<DeadLetterPublisher, 'deadLetterMessage'>;
  /** Backpressure: false means the partition was paused (through `pause`); hand the rest back. */
  admit(pause: PausePartition): Promise<boolean>;
  /** Told of every workflow Temporal started, for the backlog estimate. */
  noteStarted?(workflowId: string): void;
  /** Keeps the operations on each document in log order across the partition's sub-batches. */
  order?: Pick<DocumentOrder, 'blockers' | 'waitForTurn' | 'noteStarted' | 'running'>;
  /**
   * The partition's ingest workflows still running, whoever started them: asked once per partition
   * after each group join, so a consumer that took a partition over keeps its documents in order too.
   */
  runningIngests?: (topic: string, partition: number) => Promise<RunningIngest[]>;
  limits: SubBatchLimits;
  taskQueue: string;
  groupId: string;
  logger: Logger;
  /** Aborted when the consumer stops: waits end at once. */
  signal: AbortSignal;
  /** Called after each sub-batch and each batch, for the liveness check. */
  beat?(): void;
  now?: () => number;
}

// A held tail is looked at again this often while it waits for company or for its window to close:
// short enough that a trickle of documents is not delayed much, long enough not to spin on fetches.
const TAIL_RECHECK_MS = 100;

// The tail rule compares this process's clock with the broker's timestamps; a margin for the skew
// between two NTP-synchronised hosts keeps a late message from slipping into a released window.
const CLOCK_SKEW_MARGIN_MS = 50;

/** The consumer still runs and still owns the batch's partition. */
function isLive(payload: BatchPayload): boolean {
  return payload.isRunning() && !payload.isStale();
}

/**
 * The document consumer's `eachBatch`: validate, dead-letter the invalid, cut the rest into
 * sub-batches, start one ingest workflow per sub-batch, and only once Temporal acknowledged it
 * resolve the sub-batch's last offset, heartbeat and commit. Whatever is left when the consumer
 * stops, loses the partition or is paused stays unresolved and is fetched again.
 */
export class DocumentBatchHandler {
  readonly #deps: DocumentBatchDeps;
  readonly #now: () => number;
  /** When each partition's last batch was handed back: its next fetch was sent after that. */
  readonly #returnedAt = new Map<string, number>();
  /**
   * Each partition's look-up of its running ingest workflows since the last group join: started as
   * the group is joined, awaited by the partition's first batch.
   */
  readonly #adopting = new Map<string, Promise<void>>();
  #joinedAt: number | undefined;

  constructor(deps: DocumentBatchDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => Date.now());
  }

  /**
   * The consumer (re)joined its group: every fetch from now on is sent after this moment. The
   * assigned partitions' running ingest workflows are looked up now, so their first batches find the
   * answer waiting. Their previous owners have let go of them by now: a member rejoins only after its
   * batches in hand, and one too slow to rejoin in time is dropped and stops at its next check that
   * it still owns the partition (see isLive).
   */
  noteGroupJoined(at = this.#now(), assignment: Readonly<Record<string, readonly number[]>> = {}): void {
    this.#joinedAt = at;
    this.#adopting.clear();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const partition of partitions) void this.#adoptRunning(topic, partition, `${topic}:${partition}`);
  }

  readonly handle = async (payload: BatchPayload): Promise<void> => {
    const { batch } = payload;
    const key = `${batch.topic}:${batch.partition}`;
    try {
      await traceBatch(batch, (traced) => this.#process(payload, traced, key), {
        groupId: this.#deps.groupId,
      });
    } finally {
      this.#returnedAt.set(key, this.#now());
      this.#deps.beat?.();
    }
  };

  async #process(payload: BatchPayload, traced: TracedBatch, key: string): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    await this.#adoptRunning(batch.topic, batch.partition, key);
    const atHighWatermark = BigInt(batch.lastOffset()) + 1n >= BigInt(batch.highWatermark);
    const marks = [this.#returnedAt.get(key), this.#joinedAt].filter((t) => t !== undefined);
    const notBefore = marks.length > 0 ? Math.max(...marks) : undefined;
    const plan = planSubBatches(batch.messages, this.#deps.limits, {
      atHighWatermark,
      fetchedNotBefore: notBefore === undefined ? undefined : notBefore - CLOCK_SKEW_MARGIN_MS,
    });
    const live = () => isLive(payload);

    for (const sub of plan.subBatches) {
      if (!live()) return;
      if (sub.documents.length > 0 && !(await this.#deps.admit(() => payload.pause()))) return;
      for (const letter of sub.deadLetters) {
        traced.fail(letter.message, letter.error);
        await this.#deps.deadLetters.deadLetterMessage(
          letter.message,
          { topic: batch.topic, partition: batch.partition },
          { type: letter.error.type, message: letter.error.message },
          traced.processContext(letter.message),
        );
      }
      if (sub.documents.length > 0) {
        if (!(await this.#turnOf(payload, key, sub))) return;
        if (!(await this.#handOff(payload, traced, sub, key))) return;
      }
      payload.resolveOffset(sub.toOffset);
      await payload.heartbeat();
      await this.#commit(payload, key, sub.toOffset);
      consumerLag.set(
        { topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(sub.toOffset) - 1n)),
      );
      this.#deps.beat?.();
    }

    // Nothing more in the log and the tail's window still open: wait a little before handing the
    // batch back, so the re-fetch finds company for the tail instead of spinning on the same bytes.
    if (plan.held?.reason === 'young' && live()) {
      const wait = Math.min(TAIL_RECHECK_MS, plan.held.releaseAt + CLOCK_SKEW_MARGIN_MS + 1 - this.#now());
      await sleep(wait, this.#deps.signal);
    }
  }

  /**
   * Commits up to and including `lastOffset`, naming the partition's ingest workflows still running
   * (see commit-metadata.ts) for whoever owns the partition next.
   */
  async #commit(payload: BatchPayload, key: string, lastOffset: string): Promise<void> {
    const { topic, partition } = payload.batch;
    const committed: PartitionOffset & { metadata: string | null } = {
      partition,
      offset: (BigInt(lastOffset) + 1n).toString(),
      metadata: encodeRunning(topic, partition, this.#deps.order?.running(key) ?? []),
    };
    await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [committed] }] });
  }

  /**
   * Notes the partition's running ingest workflows (see `runningIngests`), once per group join; a
   * look-up that failed is tried again with the next batch.
   */
  #adoptRunning(topic: string, partition: number, key: string): Promise<void> {
    const { order, runningIngests } = this.#deps;
    if (!order || !runningIngests) return Promise.resolve();
    const known = this.#adopting.get(key);
    if (known) return known;
    // Chained, not awaited in line: the callbacks run after `adopting` is set.
    const adopting: Promise<void> = Promise.resolve()
      .then(() => runningIngests(topic, partition))
      .then(
        (running) => {
          for (const w of running) order.noteStarted(key, w.workflowId, w.documents);
        },
        (err: unknown) => {
          if (this.#adopting.get(key) === adopting) this.#adopting.delete(key);
          // Until then only this process's own workflows are known.
          this.#deps.logger.warn(
            `could not list the running ingest workflows of ${key}: ${(err as Error).message}`,
          );
        },
      );
    this.#adopting.set(key, adopting);
    return adopting;
  }

  /**
   * Waits until no earlier sub-batch of the partition that touches one of this one's documents is
   * still running (see DocumentOrder); false when the consumer stopped or lost the partition first.
   */
  async #turnOf(payload: BatchPayload, key: string, sub: SubBatch): Promise<boolean> {
    const order = this.#deps.order;
    if (!order) return true;
    const blockers = order.blockers(key, sub.documents);
    if (blockers.length === 0) return true;
    this.#deps.logger.info(
      `offsets ${sub.fromOffset}-${sub.toOffset} of ${key} wait for ${blockers.join(', ')}: they share documents, which must change in log order`,
    );
    return order.waitForTurn(key, sub.documents, {
      signal: this.#deps.signal,
      shouldContinue: () => isLive(payload),
      heartbeat: () => payload.heartbeat(),
    });
  }

  /** Starts the sub-batch's workflow; false when the consumer stopped before Temporal acknowledged it. */
  async #handOff(payload: BatchPayload, traced: TracedBatch, sub: SubBatch, key: string): Promise<boolean> {
    const { batch } = payload;
    const source: KafkaSource = {
      topic: batch.topic,
      partition: batch.partition,
      fromOffset: sub.fromOffset,
      toOffset: sub.toOffset,
    };
    const input: IngestBatchInput = { documents: sub.documents, source };
    const workflowId = ingestWorkflowId(source);
    const outcome = await traced.handOff(sub.messages, () =>
      startUntilAcknowledged(
        this.#deps.starter,
        { workflowType: INGEST_WORKFLOW, workflowId, taskQueue: this.#deps.taskQueue, args: [input] },
        {
          shouldContinue: () => isLive(payload),
          heartbeat: () => payload.heartbeat(),
          signal: this.#deps.signal,
          logger: this.#deps.logger,
        },
      ),
    );
    if (outcome === 'abandoned') return false;
    // A workflow found already started may still be running: later sub-batches wait for it too.
    this.#deps.order?.noteStarted(key, workflowId, sub.documents);
    if (outcome !== 'already_started') this.#deps.noteStarted?.(workflowId);
    else this.#deps.logger.info(`${workflowId} was already started: a redelivered sub-batch, nothing to do`);
    messagesConsumed.inc({ topic: batch.topic }, sub.messages.length);
    return true;
  }
}
