import type { BatchManifest } from '../batches/batch-manifest';
import type { EventSink } from '../events/domain-events';
import type { PredictionRepository } from '../prediction.repository';
import { isFinalStatus, type PredictionRecord, toPublicPrediction } from '../prediction.types';
import type { Outbox } from './outbox';
import { batchCopyMember, type OutboxEntry, parseOutboxMember } from './outbox-entry';

/**
 * Writes the durable S3 copy of a final prediction, and the manifest of a completed batch (each
 * app builds it on its ObjectStore).
 */
export interface ResultCopyWriter {
  write(record: PredictionRecord): Promise<void>;
  writeBatch(manifest: BatchManifest): Promise<void>;
}

/** A completed batch's manifest as Redis has it now (readBatchManifest); null unless completed. */
export type BatchManifestSource = (batchId: string) => Promise<BatchManifest | null>;

export const RESULT_COPY_WRITER = Symbol('RESULT_COPY_WRITER');

/**
 * Does what an outbox entry owes. `relayNow` is the fast path, run by whoever made the state
 * change right after it committed; a failure there (S3 or Redis down) leaves the entry in the
 * outbox for the reconciler, which calls `relay` again when it is due: at least once, in the end.
 *
 * - copy: the S3 copy of the record *as Redis has it now*. The compare-and-set in FINISH decided
 *   the final state; whoever writes the copy writes what won, so a losing duplicate attempt can
 *   never leave an S3 copy that disagrees with Redis. Removed once written.
 * - batch copy: the manifest of a completed batch as Redis has it now (nothing for a batch that
 *   is gone, being erased or reopened). Written with its batch.completed event, which the same
 *   Lua call put in the outbox: whoever relays the event now writes the manifest too.
 * - event: handed to the webhooks queue (job id per event, so a repeat is a no-op while the job
 *   lives); postponed, not removed: the dispatcher removes it once its deliveries exist.
 */
export class OutboxRelay {
  constructor(
    private readonly outbox: Outbox,
    private readonly predictions: PredictionRepository,
    private readonly copies: ResultCopyWriter,
    private readonly batches: BatchManifestSource,
    private readonly events: EventSink,
    private readonly onError: (member: string, err: Error) => void = () => undefined,
  ) {}

  /** Fast path: never throws (the state change already committed; the outbox owns the rest). */
  async relayNow(members: readonly string[]): Promise<void> {
    for (const member of members) {
      const entry = parseOutboxMember(member);
      if (!entry) continue;
      try {
        await this.relay(entry);
      } catch (err) {
        this.onError(member, err as Error);
      }
      if (entry.kind === 'event' && entry.event.type === 'batch.completed')
        await this.relayNow([batchCopyMember(entry.event.batchId)]);
    }
  }

  async relay(entry: OutboxEntry): Promise<void> {
    if (entry.kind === 'copy') return this.copy(entry.member, entry.predictionId);
    if (entry.kind === 'batchCopy') return this.batchCopy(entry.member, entry.batchId);
    await this.events.emit(entry.event);
    await this.outbox.postpone(entry.member);
  }

  private async batchCopy(member: string, batchId: string): Promise<void> {
    // Its score, read first: a rewrite asked for while this one is written (a prediction of the
    // batch erased meanwhile) re-adds the member with a later score, which must not be dropped.
    const score = await this.outbox.score(member);
    if (score === null) return; // written by someone else already
    const manifest = await this.batches(batchId);
    if (manifest) await this.copies.writeBatch(manifest);
    await this.outbox.removeIfScore(member, score);
  }

  private async copy(member: string, predictionId: string): Promise<void> {
    const record = await this.predictions.getAnyTenant(predictionId);
    // An expired record has nothing left to copy; a non-final one cannot have asked for a copy.
    if (record && isFinalStatus(record.status)) {
      await this.copies.write(record);
    }
    await this.outbox.remove(member);
  }
}

/** The copy writer every app builds on its ObjectStore (structural, so this lib needs no storage import). */
export function resultCopyWriter(
  store: { putJson(key: string, value: unknown): Promise<void> },
  resultKey: (tenant: string, predictionId: string) => string,
  manifestKey: (tenant: string, batchId: string) => string,
): ResultCopyWriter {
  return {
    write: (record) => store.putJson(resultKey(record.tenant, record.id), toPublicPrediction(record)),
    writeBatch: (manifest) => store.putJson(manifestKey(manifest.tenant, manifest.batch.id), manifest),
  };
}
