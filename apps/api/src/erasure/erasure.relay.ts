import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErasureRepository,
  type ErasureMember,
  HotImageStore,
  Outbox,
  parseErasureMember,
  QueueName,
  REDIS,
  RedisKeys,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mapLimit } from '../batches/map-limit';
import { EventStreamScrubber } from './event-stream.scrubber';

/** Members relayed at once by the fast path (each is one S3 or Redis round trip or two). */
const CONCURRENCY = 16;

/**
 * Does what an erasure outbox member owes (libs/jobs erasure.members.ts), then removes it; one
 * that must wait (a locked job, an image an intake holds) is postponed, and the reconciler
 * (OutboxRepair) calls `relay` again when it is due. Every step is idempotent: deleting an
 * absent object or job is a no-op, so "at least once" is enough.
 */
@Injectable()
export class ErasureRelay {
  private readonly logger = new Logger('Erasure');
  private readonly queues: Record<string, Queue>;

  constructor(
    private readonly store: ObjectStore,
    private readonly erasure: ErasureRepository,
    private readonly hot: HotImageStore,
    private readonly outbox: Outbox,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly scrubber: EventStreamScrubber,
    @InjectQueue(QueueName.Inference) inference: Queue,
    @InjectQueue(QueueName.Preprocess) preprocess: Queue,
    @InjectQueue(QueueName.Webhooks) webhooks: Queue,
  ) {
    this.queues = { inference, preprocess, webhooks };
  }

  /**
   * Fast path right after the erase script committed: never throws (the outbox owns the rest).
   * The caller scrubs BullMQ's event streams once for all the ids afterwards (EventStreamScrubber).
   */
  async relayNow(members: readonly string[]): Promise<void> {
    await mapLimit(members, CONCURRENCY, async (member) => {
      const entry = parseErasureMember(member);
      if (!entry) return;
      try {
        await this.relay(entry, false);
      } catch (err) {
        this.logger.warn(`Erasure step ${entry.kind} deferred to the reconciler: ${(err as Error).message}`);
      }
    });
  }

  /** One member; `scrub`: also delete the events of a removed job (the reconciler's path, one at a time). */
  async relay(entry: ErasureMember, scrub = true): Promise<void> {
    if (entry.kind === 'rm') await this.store.delete(entry.key);
    else if (entry.kind === 'job') {
      if (!(await this.removeJob(entry.queue, entry.jobId))) return this.outbox.postpone(entry.member);
      if (scrub) await this.scrubber.scrub(this.scrubber.idsIn(entry.jobId));
    } else if (!(await this.eraseImage(entry.member, entry.tenant, entry.sha256))) {
      return this.outbox.postpone(entry.member);
    }
    await this.outbox.remove(entry.member);
  }

  /** False while the job is locked by a worker (it is looked at again later). */
  private async removeJob(queueName: string, jobId: string): Promise<boolean> {
    const queue = this.queues[queueName];
    if (!queue) return true;
    const job = await queue.getJob(jobId);
    if (!job) return true;
    try {
      await job.remove();
      return true;
    } catch (err) {
      if (/locked/i.test((err as Error).message)) return false;
      throw err;
    }
  }

  /**
   * Deletes the image, its thumbnail and its hot copy when nothing of the tenant references it
   * and no intake holds it (BEGIN_ERASE, which also sets the erasing flag intakes wait on).
   * True when done (deleted, or referenced again: nothing to do), false to try later. Only a
   * member still in the outbox is acted on: the script that released the image wrote it.
   */
  private async eraseImage(member: string, tenant: string, sha256: string): Promise<boolean> {
    if ((await this.redis.zscore(this.keys.outbox, member)) === null) return true;
    const token = randomBytes(12).toString('base64url');
    const start = await this.erasure.beginImageErase(tenant, sha256, token);
    if (start === 'referenced') return true;
    if (start !== 'begun') return false;
    try {
      await Promise.all([
        this.store.delete(objectKeys.image(tenant, sha256)),
        this.store.delete(objectKeys.thumbnail(tenant, sha256)),
        this.hot.delete(tenant, sha256),
      ]);
    } finally {
      await this.erasure.endImageErase(tenant, sha256, token);
    }
    return true;
  }
}
