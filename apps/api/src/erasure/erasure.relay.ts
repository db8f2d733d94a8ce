import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  againMember,
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
import { mapLimit } from '../common/map-limit';
import {
  manifestSpeaksForBatch,
  readStoredManifest,
  withoutPrediction,
} from '../batches/stored-batch-manifest';
import { EventStreamScrubber } from './event-stream.scrubber';

/** Members relayed at once (each is one S3 or Redis round trip or two). */
const CONCURRENCY = 16;
/** How long a second-pass list outlives its outbox member at most (it is deleted when done). */
const SECOND_PASS_TTL_SECONDS = 7 * 86400;

/** What one step did: done (`removed` a job: its events are to be scrubbed), or try again later. */
type Step = 'done' | 'removed' | 'later';

/**
 * Does what an erasure outbox member owes (libs/jobs erasure.members.ts). Every step is
 * idempotent (deleting an absent object or job is a no-op), so "at least once" is enough.
 *
 * Each member is done twice: by the fast path right after the erase script, and once more
 * RECONCILE_AFTER_MS later, because a writer that read the record just before the erasure (an
 * outbox relay putting the result copy, or re-adding a dispatch job) can land after the first
 * pass but not after the second. The fast path swaps the members it did for one `again|<token>`
 * member and a list of them (one MULTI: a crash before it leaves the members to the reconciler,
 * which is late enough to be the second pass itself). Steps that must wait (a job a worker holds,
 * an image an intake holds) stay in the outbox and are retried one by one.
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
    const { done } = await this.many(members, true);
    if (!done.length) return;
    const token = randomBytes(12).toString('base64url');
    const list = this.erasure.keys.secondPass(token);
    await this.redis
      .multi()
      .zrem(this.keys.outbox, ...done)
      .rpush(list, ...done)
      .expire(list, SECOND_PASS_TTL_SECONDS)
      .zadd(this.keys.outbox, this.outbox.dueLater(), againMember(token))
      .exec()
      .catch((err: Error) => this.logger.warn(`Second erasure pass left to each member: ${err.message}`));
  }

  /** The reconciler's pass over one outbox member. */
  async relay(entry: ErasureMember): Promise<void> {
    if (entry.kind === 'again') return this.secondPass(entry.member, entry.token);
    // An image is erased only while its member is still in the outbox; read here, its score also
    // tells whether an intake about to store the same image wrote it again meanwhile (a later
    // score, that intake's insurance should it die before its record counts the image): not ours.
    const score = entry.kind === 'img' ? await this.outbox.score(entry.member) : null;
    if (entry.kind === 'img' && score === null) return;
    const step = await this.step(entry, false);
    if (step === 'later') return this.outbox.postpone(entry.member);
    if (step === 'removed') await this.scrubber.scrub(this.scrubber.idsIn(entry.member));
    if (score !== null) await this.outbox.removeIfScore(entry.member, score);
    else await this.outbox.remove(entry.member);
  }

  private async secondPass(member: string, token: string): Promise<void> {
    const list = this.erasure.keys.secondPass(token);
    const members = await this.redis.lrange(list, 0, -1);
    const { later, failed } = await this.many(members, false);
    if (failed) throw new Error(`second erasure pass ${token}: ${failed} steps failed, tried again later`);
    await this.scrubber.scrub(members.flatMap((m) => this.scrubber.idsIn(m)));
    const tx = this.redis.multi();
    // What must wait goes back as members of its own, retried one by one.
    if (later.length) tx.zadd(this.keys.outbox, ...later.flatMap((m) => [this.outbox.dueLater(), m]));
    await tx.del(list).zrem(this.keys.outbox, member).exec();
  }

  /**
   * Many members at once: objects in multi-object deletes, jobs looked up in one pipeline (most
   * are gone already) and removed one by one, images one by one. Never throws: a failed step
   * is neither done nor later (it stays where it is, the reconciler tries it again).
   */
  private async many(
    members: readonly string[],
    inOutbox: boolean,
  ): Promise<{ done: string[]; later: string[]; failed: number }> {
    const done: string[] = [];
    const later: string[] = [];
    let failed = 0;
    const entries = members
      .map(parseErasureMember)
      .filter((e): e is Exclude<ErasureMember, { kind: 'again' }> => !!e && e.kind !== 'again');
    const fail = (what: string, count: number, err: unknown) => {
      failed += count;
      this.logger.warn(`Erasure ${what} deferred to the reconciler: ${(err as Error).message}`);
    };
    const objects = entries.filter((e) => e.kind === 'rm');
    try {
      await this.store.deleteMany(objects.map((e) => e.key));
      done.push(...objects.map((e) => e.member));
    } catch (err) {
      fail('object deletion', objects.length, err);
    }
    const jobs = entries.filter((e) => e.kind === 'job');
    let present: boolean[] = [];
    try {
      present = await this.jobsPresent(jobs);
    } catch (err) {
      fail('job removal', jobs.length, err);
    }
    const steps = [
      ...jobs.filter((e, i) => present[i] === true),
      ...entries.filter((e) => e.kind === 'img' || e.kind === 'mf'),
    ];
    done.push(...jobs.filter((e, i) => present[i] === false).map((e) => e.member));
    await mapLimit(steps, CONCURRENCY, async (entry) => {
      try {
        ((await this.step(entry, inOutbox)) === 'later' ? later : done).push(entry.member);
      } catch (err) {
        fail(entry.kind, 1, err);
      }
    });
    return { done, later, failed };
  }

  /** Whether each job still exists (its hash under BullMQ's prefix), in one pipeline. */
  private async jobsPresent(jobs: Array<Extract<ErasureMember, { kind: 'job' }>>): Promise<boolean[]> {
    if (!jobs.length) return [];
    const pipeline = this.redis.pipeline();
    for (const j of jobs) pipeline.exists(`${this.keys.bullPrefix}:${j.queue}:${j.jobId}`);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, n]) => {
      if (err) throw err;
      return n === 1;
    });
  }

  /**
   * One member's work. `inOutbox`: an image is erased only while its member is still in the
   * outbox (the script that released it wrote it; a relay that lost a race must not act).
   */
  private async step(entry: Exclude<ErasureMember, { kind: 'again' }>, inOutbox: boolean): Promise<Step> {
    if (entry.kind === 'rm') {
      await this.store.delete(entry.key);
      return 'done';
    }
    if (entry.kind === 'job') return this.removeJob(entry.queue, entry.jobId);
    if (entry.kind === 'mf') return this.dropFromManifest(entry);
    if (inOutbox && (await this.redis.zscore(this.keys.outbox, entry.member)) === null) return 'done';
    return (await this.eraseImage(entry.tenant, entry.sha256)) ? 'done' : 'later';
  }

  /**
   * Takes a prediction erased on its own out of its batch's S3 manifest, once the batch's keys
   * have expired (while Redis knows the batch, leave_batch has its manifest rewritten from there).
   * Not while an erasure of the batch runs or owes the manifest's deletion: that would write it
   * back. Two of these racing on one manifest can lose one's change; each is done twice (the
   * second pass), which puts it right.
   */
  private async dropFromManifest(entry: Extract<ErasureMember, { kind: 'mf' }>): Promise<Step> {
    const { tenant, batchId } = entry;
    if (!(await manifestSpeaksForBatch(this.redis, this.keys, tenant, batchId))) return 'done';
    const manifest = await readStoredManifest(this.store, tenant, batchId);
    const rewritten = manifest && withoutPrediction(manifest, entry.predictionId, entry.status);
    if (rewritten) await this.store.putJson(objectKeys.batchManifest(tenant, batchId), rewritten);
    return 'done';
  }

  /** `later` while the job is locked by a worker. */
  private async removeJob(queueName: string, jobId: string): Promise<Step> {
    const queue = this.queues[queueName];
    if (!queue) return 'done';
    const job = await queue.getJob(jobId);
    if (!job) return 'done';
    try {
      await job.remove();
      return 'removed';
    } catch (err) {
      if (/locked/i.test((err as Error).message)) return 'later';
      throw err;
    }
  }

  /**
   * Deletes the image, its thumbnail and its hot copy when nothing of the tenant references it
   * and no intake holds it (BEGIN_ERASE, which also sets the erasing flag intakes wait on).
   * True when done (deleted, or referenced again: nothing to do), false to try later.
   */
  private async eraseImage(tenant: string, sha256: string): Promise<boolean> {
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
