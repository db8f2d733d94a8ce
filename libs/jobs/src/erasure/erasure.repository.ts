import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BatchKeys } from '../batches/batch.keys';
import { batchIndexMember } from '../batches/batch-cursor';
import { decodeImage } from '../records/record-codec';
import { QueueName } from '../queues';
import { RedisKeys } from '../redis-keys';
import { WebhookKeys } from '../webhooks/webhook.keys';
import { webhookIdFor } from '../webhooks/webhook-id';
import { dispatchJobIdOf } from '../events/queue-event.sink';
import type { WebhookEventType } from '../webhooks/webhook-event.types';
import { ErasureKeys } from './erasure.keys';
import { imageMember, jobMember, manifestMember, rmMember } from './erasure.members';
import {
  BACKFILL_REF,
  BEGIN_BATCH_ERASE,
  BEGIN_ERASE,
  END_ERASE,
  ERASE_BATCH_CHUNK,
  ERASE_EXPIRED_PREDICTION,
  ERASE_PREDICTION,
  FINISH_BATCH_ERASE,
  FINISH_EXPIRED_BATCH_ERASE,
  HOLD,
  RELEASE,
} from './erasure.scripts';

/** Who asked for an erasure: an API key's id (a digest, never the secret). */
export interface ErasureActor {
  api_key_id: string;
}

/** The S3 objects of one prediction (the app knows the layout: libs/storage's objectKeys). */
export type ObjectsOf = (tenant: string, predictionId: string) => string[];

/** The events a prediction's final states announce (dispatch job `<type>/<id>`). */
const PREDICTION_EVENT_TYPES: WebhookEventType[] = ['prediction.succeeded', 'prediction.failed'];

/** The times of every outcome a record had: its current completed_at and those a retry reopened. */
function occurrences(completedAt: string | null, past: string | null): string[] {
  return [...(past ? past.split(',') : []), ...(completedAt ? [completedAt] : [])];
}

/**
 * What erasing one prediction owes outside Redis, as outbox members: its S3 objects, its jobs in
 * every queue it may have one, and the dispatch job of each event it had.
 */
function owedOutsideRedis(tenant: string, id: string, times: string[], objectsOf: ObjectsOf): string[] {
  return [
    ...objectsOf(tenant, id).map(rmMember),
    jobMember(QueueName.Inference, id),
    jobMember(QueueName.Preprocess, id),
    jobMember(QueueName.Inference, `explain-${id}`),
    ...PREDICTION_EVENT_TYPES.flatMap((type) =>
      times.map((at) => jobMember(QueueName.Webhooks, dispatchJobIdOf(type, id, at))),
    ),
  ];
}

/** What erasing a prediction whose record expired needs from its S3 copy. */
export interface ExpiredPrediction {
  status: string;
  completed_at: string | null;
  batch_id: string | null;
  filename: string | null;
  image: { sha256: string } | null;
}

export type ChunkOutcome =
  | { kind: 'erased'; ids: string[]; members: string[] }
  | { kind: 'empty' }
  | { kind: 'processing'; id: string }
  | { kind: 'gone' };

export type ImageEraseStart = 'referenced' | 'held' | 'busy' | 'begun';

/** How long an intake's hold lives (a crashed intake's hold stops protecting after this). */
export const HOLD_MS = 15 * 60_000;
/** How long an expired batch's erasure keeps its counts (a retry after a crash continues them). */
const EXPIRED_BATCH_ERASURE_SECONDS = 86_400;
/** How long the erasing flag lives (a crashed eraser's flag stops blocking intakes after this). */
export const ERASING_FLAG_SECONDS = 120;

/** The audit entry's subject: a digest of the id, so the log keeps no id of erased data. */
export function subjectDigest(tenant: string, id: string): string {
  return `sha256:${createHash('sha256').update(`${tenant}:${id}`).digest('hex')}`;
}

/**
 * Erasure and the image reference sets in Redis (the scripts are in erasure.scripts.ts). Every
 * erasing step is one Lua call that deletes records and, atomically with it, writes the outbox
 * members of what it owes elsewhere; the caller relays them (and the reconciler does, if it dies).
 */
export class ErasureRepository {
  readonly keys: ErasureKeys;
  private readonly batchKeys: BatchKeys;
  private readonly webhookKeys: WebhookKeys;

  constructor(
    private readonly redis: Redis,
    private readonly redisKeys: RedisKeys,
    private readonly reconcileAfterMs: number,
  ) {
    this.keys = new ErasureKeys(redisKeys);
    this.batchKeys = new BatchKeys(redisKeys);
    this.webhookKeys = new WebhookKeys(redisKeys.prefix);
  }

  private due(): number {
    return Date.now() + this.reconcileAfterMs;
  }

  /**
   * Registers an intake of this image: `erasing` when the image is being erased right now,
   * `referenced` when a live record uses it (see HOLD and the API's storedImage).
   */
  async hold(
    tenant: string,
    sha256: string,
    token: string,
    now = Date.now(),
  ): Promise<{ erasing: boolean; referenced: boolean }> {
    const k = this.keys;
    const keys = [
      k.imageHolds(tenant, sha256),
      k.imageErasing(tenant, sha256),
      k.imageRefs(tenant, sha256),
      k.legacyImageCount(tenant, sha256),
    ];
    const [erasing, referenced] = (await HOLD.run(this.redis, keys, [token, now + HOLD_MS, now])) as number[];
    return { erasing: erasing === 1, referenced: referenced === 1 };
  }

  async isErasing(tenant: string, sha256: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.imageErasing(tenant, sha256))) === 1;
  }

  async release(tenant: string, sha256: string, token: string): Promise<void> {
    await RELEASE.run(
      this.redis,
      [this.keys.imageHolds(tenant, sha256), this.keys.imageRefs(tenant, sha256), this.redisKeys.outbox],
      [token, imageMember(tenant, sha256)],
    );
  }

  /**
   * An intake is about to store an image that no record counts yet. Should it die before its
   * record counts the image, nothing would ever delete the object: so first the `img|` member that
   * deletes it, due once the intake's hold has expired, and which deletes only an image that
   * nothing counts and no intake holds then (BEGIN_ERASE). The intake's RELEASE drops it once the
   * count exists. GT: an earlier member of the same image (an erasure's) waits for this hold too.
   */
  async expectCounted(tenant: string, sha256: string, now = Date.now()): Promise<void> {
    await this.redis.zadd(
      this.redisKeys.outbox,
      'GT',
      now + HOLD_MS + this.reconcileAfterMs,
      imageMember(tenant, sha256),
    );
  }

  async beginImageErase(tenant: string, sha256: string, token: string): Promise<ImageEraseStart> {
    const k = this.keys;
    const code = await BEGIN_ERASE.run(
      this.redis,
      [
        k.imageRefs(tenant, sha256),
        k.imageHolds(tenant, sha256),
        k.imageErasing(tenant, sha256),
        k.imageRefsBackfilled,
        k.legacyImageCount(tenant, sha256),
      ],
      [Date.now(), ERASING_FLAG_SECONDS, token],
    );
    return code === 1 ? 'begun' : code === 0 ? 'referenced' : code === -1 ? 'held' : 'busy';
  }

  /**
   * Lists the records created before the reference sets existed in their images' sets: one SCAN
   * over the records, then the marker that lets erasures delete images (the counts the version
   * before kept expire on their own: see legacyImageCount). Idempotent and safe beside new records and
   * erasures (BACKFILL_REF lists a record only while it exists). Returns how many were not listed
   * yet.
   */
  async backfillImageRefs(pause: () => Promise<void> = async () => undefined): Promise<number> {
    if (await this.redis.exists(this.keys.imageRefsBackfilled)) return 0;
    let listed = 0;
    await this.scanAll(`${this.redisKeys.prefix}:prd:*`, pause, async (names) => {
      const pipeline = this.redis.pipeline();
      for (const name of names) pipeline.hmget(name, 'tenant', 'image');
      const replies = (await pipeline.exec()) ?? [];
      for (let i = 0; i < names.length; i++) {
        const [err, value] = replies[i];
        if (err) throw err;
        const [tenant, image] = value as Array<string | null>;
        if (!tenant || !image) continue;
        const refs = this.keys.imageRefs(tenant, decodeImage(image).sha256);
        const id = names[i].slice(`${this.redisKeys.prefix}:prd:`.length);
        listed += (await BACKFILL_REF.run(this.redis, [names[i], refs], [id])) as number;
      }
    });
    await this.redis.set(this.keys.imageRefsBackfilled, new Date().toISOString());
    return listed;
  }

  /** Every key matching a pattern, a SCAN page at a time, pausing between pages. */
  private async scanAll(
    pattern: string,
    pause: () => Promise<void>,
    page: (names: string[]) => Promise<void>,
  ): Promise<void> {
    let cursor = '0';
    do {
      const [next, names] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      await page(names);
      await pause();
    } while (cursor !== '0');
  }

  async endImageErase(tenant: string, sha256: string, token: string): Promise<void> {
    await END_ERASE.run(this.redis, [this.keys.imageErasing(tenant, sha256)], [token]);
  }

  /** Marks the batch erasing; false for an unknown batch or another tenant's. */
  async beginBatch(tenant: string, batchId: string, actor: ErasureActor): Promise<boolean> {
    const code = await BEGIN_BATCH_ERASE.run(
      this.redis,
      [this.batchKeys.batch(batchId), this.redisKeys.work],
      [tenant, actor.api_key_id, new Date().toISOString(), this.due(), ErasureKeys.workMember(batchId)],
    );
    return code === 1;
  }

  /** The batch's tenant while it is being erased (the reconciler resumes with it), else null. */
  async erasingBatchTenant(batchId: string): Promise<string | null> {
    const [tenant, status] = await this.redis.hmget(this.batchKeys.batch(batchId), 'tenant', 'status');
    return tenant && status === 'erasing' ? tenant : null;
  }

  /** Erases up to `limit` predictions at the head of the batch's list. */
  async eraseChunk(
    tenant: string,
    batchId: string,
    limit: number,
    objectsOf: ObjectsOf,
  ): Promise<ChunkOutcome> {
    const b = this.batchKeys;
    const [url, notify] = await this.redis.hmget(b.batch(batchId), 'webhook_url', 'notify');
    const batchUrl = url && notify === 'each' ? url : null;
    for (;;) {
      const ids = await this.redis.lrange(b.items(batchId), 0, limit - 1);
      if (!ids.length) return { kind: 'empty' };
      const groups = await this.groups(tenant, ids, objectsOf, batchUrl);
      const reply = (await ERASE_BATCH_CHUNK.run(
        this.redis,
        [b.batch(batchId), b.items(batchId), this.redisKeys.outbox, this.redisKeys.work],
        [this.redisKeys.prefix, tenant, batchId, this.due(), ids.length, ...groups.flatMap((g) => g.args)],
      )) as [number, ...Array<string | number>];
      if (reply[0] === 1) {
        const released = reply.slice(2).map((sha) => imageMember(tenant, String(sha)));
        return { kind: 'erased', ids, members: [...groups.flatMap((g) => g.members), ...released] };
      }
      if (reply[0] === -1) return { kind: 'processing', id: String(reply[1]) };
      if (reply[0] === -2) return { kind: 'gone' };
      // -3: another eraser trimmed the list meanwhile; read it again.
    }
  }

  /**
   * Each prediction's group for the erase scripts (read_group): id, sha256, its image's reference
   * set, its dedupe key, what it owes outside Redis (objects, jobs in every queue it may have one),
   * the webhook message keys of its events.
   */
  private async groups(
    tenant: string,
    ids: string[],
    objectsOf: ObjectsOf,
    batchUrl: string | null,
  ): Promise<Array<{ args: Array<string | number>; members: string[] }>> {
    const pipeline = this.redis.pipeline();
    for (const id of ids)
      pipeline.hmget(
        this.redisKeys.prediction(id),
        'image',
        'webhook_url',
        'completed_at',
        'past_completed',
        'result',
      );
    const replies = (await pipeline.exec()) ?? [];
    return ids.map((id, i) => {
      const [err, value] = replies[i];
      if (err) throw err;
      const [image, url, completedAt, past, result] = value as Array<string | null>;
      // Every outcome it had (a retry re-opens one): each was an event with its own ids.
      const times = occurrences(completedAt, past);
      const members = owedOutsideRedis(tenant, id, times, objectsOf);
      const urls = [...new Set([url, batchUrl])].filter((u): u is string => !!u);
      const msgKeys = times.length
        ? urls.flatMap((u) =>
            PREDICTION_EVENT_TYPES.flatMap((type) =>
              times.map((at) => this.webhookKeys.deliveryByMessage(tenant, webhookIdFor(type, id, u, at))),
            ),
          )
        : [];
      const sha = image ? decodeImage(image).sha256 : '';
      const refs = sha ? this.keys.imageRefs(tenant, sha) : '';
      // The dedupe entry its result wrote, named from the result (not kept in every record).
      const dedupe = image ? (this.batchKeys.dedupeOfResult(tenant, sha, result) ?? '') : '';
      return {
        args: [id, sha, refs, dedupe, members.length, ...members, msgKeys.length, ...msgKeys],
        members,
      };
    });
  }

  /**
   * Ends an erasure whose list is empty; `done` when this call ended it (and wrote the audit
   * entry). `objects` are the batch's own S3 objects (its manifest).
   */
  async finishBatch(
    tenant: string,
    batchId: string,
    objects: string[],
  ): Promise<{ outcome: 'done' | 'not_erasing' | 'items_left'; members: string[] }> {
    const b = this.batchKeys;
    const [createdAt, actor, url, completedAt, past] = await this.redis.hmget(
      b.batch(batchId),
      'created_at',
      'erase_actor',
      'webhook_url',
      'completed_at',
      'past_completed',
    );
    const times = occurrences(completedAt, past);
    const indexMember = batchIndexMember(createdAt ? Date.parse(createdAt) : 0, batchId);
    const audit = this.auditEntry(tenant, 'batch.erased', batchId, actor ?? 'unknown');
    const members = [
      ...objects.map(rmMember),
      ...times.map((at) => jobMember(QueueName.Webhooks, dispatchJobIdOf('batch.completed', batchId, at))),
    ];
    const msgKeys = url
      ? times.map((at) =>
          this.webhookKeys.deliveryByMessage(tenant, webhookIdFor('batch.completed', batchId, url, at)),
        )
      : [];
    const code = await FINISH_BATCH_ERASE.run(
      this.redis,
      [
        b.batch(batchId),
        b.items(batchId),
        b.names(batchId),
        b.pending(batchId),
        b.tenantIndex(tenant),
        this.redisKeys.work,
        this.redisKeys.outbox,
        this.keys.auditIndex(tenant),
        this.keys.auditEntries(tenant),
      ],
      [
        this.redisKeys.prefix,
        tenant,
        batchId,
        indexMember,
        this.due(),
        audit.member,
        audit.json,
        batchId,
        '',
        '',
        '',
        members.length,
        ...members,
        msgKeys.length,
        ...msgKeys,
      ],
    );
    const outcome = code === 1 ? 'done' : code === 0 ? 'not_erasing' : 'items_left';
    return { outcome, members: code === 1 ? members : [] };
  }

  /** Erases one prediction; `members` are what it owes outside Redis (relay them). */
  async erasePrediction(
    tenant: string,
    id: string,
    actor: ErasureActor,
    objectsOf: ObjectsOf,
  ): Promise<{ outcome: 'erased' | 'missing' | 'processing'; members: string[] }> {
    const batchId = await this.redis.hget(this.redisKeys.prediction(id), 'batch_id');
    let batchUrl: string | null = null;
    if (batchId) {
      const [url, notify] = await this.redis.hmget(this.batchKeys.batch(batchId), 'webhook_url', 'notify');
      batchUrl = url && notify === 'each' ? url : null;
    }
    const [group] = await this.groups(tenant, [id], objectsOf, batchUrl);
    const audit = this.auditEntry(tenant, 'prediction.erased', id, actor.api_key_id);
    const reply = (await ERASE_PREDICTION.run(
      this.redis,
      [
        this.redisKeys.prediction(id),
        this.redisKeys.outbox,
        this.redisKeys.work,
        this.keys.auditIndex(tenant),
        this.keys.auditEntries(tenant),
      ],
      [
        this.redisKeys.prefix,
        tenant,
        this.due(),
        audit.member,
        audit.json,
        new Date().toISOString(),
        ...group.args,
      ],
    )) as number[];
    if (reply[0] === 1) {
      const released = reply[1] === 1 ? [imageMember(tenant, String(group.args[1]))] : [];
      return { outcome: 'erased', members: [...group.members, ...released] };
    }
    return { outcome: reply[0] === -1 ? 'processing' : 'missing', members: [] };
  }

  /**
   * Erases prediction `id`, whose record expired with the retention, from what its S3 copy says:
   * `record_exists` when the record is still there (use erasePrediction), `under_way` when an
   * erasure of it still has work in the outbox, `processing` while its explanation is being
   * computed. `members` are what it owes outside Redis (relay them). No audit entry without an
   * actor: one of an erasing batch's items is counted in the batch's entry, one of an expired
   * batch's in its erasure's hash (`countInto`, ErasureKeys.expiredBatchErasure).
   */
  async eraseExpiredPrediction(
    tenant: string,
    id: string,
    copy: ExpiredPrediction,
    actor: ErasureActor | null,
    objectsOf: ObjectsOf,
    countInto?: string,
  ): Promise<{ outcome: 'erased' | 'record_exists' | 'under_way' | 'processing'; members: string[] }> {
    const members = owedOutsideRedis(tenant, id, occurrences(copy.completed_at, null), objectsOf);
    // Erased on its own (an actor asked): the manifest of its batch, if the batch's keys have
    // expired too, must stop listing it. A batch's erasure deletes or rewrites that itself.
    if (actor && copy.batch_id) members.push(manifestMember(tenant, copy.batch_id, id, copy.status));
    const given = copy.image?.sha256 ?? '';
    const sha = /^[0-9a-f]{64}$/.test(given) ? given : '';
    const audit = actor
      ? this.auditEntry(tenant, 'prediction.erased', id, actor.api_key_id)
      : { member: '', json: '{}' };
    const reply = (await ERASE_EXPIRED_PREDICTION.run(
      this.redis,
      [
        this.redisKeys.prediction(id),
        this.redisKeys.outbox,
        this.keys.auditIndex(tenant),
        this.keys.auditEntries(tenant),
        this.keys.imageRefs(tenant, sha), // used only when there is an image
        this.redisKeys.explanation(id),
        ...(countInto ? [countInto] : []),
      ],
      [
        this.redisKeys.prefix,
        tenant,
        this.due(),
        audit.member,
        audit.json,
        sha,
        id,
        copy.batch_id ?? '',
        copy.filename ?? '',
        copy.status,
        new Date().toISOString(),
        ...members,
      ],
    )) as number[];
    if (reply[0] === 1)
      return {
        outcome: 'erased',
        members: reply[1] === 1 ? [...members, imageMember(tenant, sha)] : members,
      };
    const outcome = ({ [-1]: 'processing', [-2]: 'record_exists', [-3]: 'under_way' } as const)[reply[0]];
    return { outcome: outcome ?? 'record_exists', members: [] };
  }

  /**
   * Starts (or joins) the erasure of a batch past the retention: its hash (who asked, the counts)
   * and its work member, so the reconciler finishes it if this process dies.
   */
  async beginExpiredBatch(tenant: string, batchId: string, actor: ErasureActor): Promise<void> {
    const hash = this.keys.expiredBatchErasure(tenant, batchId);
    await this.redis
      .multi()
      .hsetnx(hash, 'actor', actor.api_key_id)
      .expire(hash, EXPIRED_BATCH_ERASURE_SECONDS)
      .zadd(this.redisKeys.work, 'NX', this.due(), ErasureKeys.expiredBatchWorkMember(tenant, batchId))
      .exec();
  }

  /** Who asked for an expired batch's erasure still in progress; null when none is. */
  async expiredBatchActor(tenant: string, batchId: string): Promise<string | null> {
    return this.redis.hget(this.keys.expiredBatchErasure(tenant, batchId), 'actor');
  }

  /**
   * Ends an expired batch's erasure (FINISH_EXPIRED_BATCH_ERASE): the audit entry once, and the
   * members of its own S3 objects (`objects`: its manifest) and of the dispatch job of the
   * completion its manifest names. Returns those members (relay them).
   */
  async finishExpiredBatch(
    tenant: string,
    batch: { id: string; created_at: string; completed_at: string | null },
    objects: string[],
  ): Promise<string[]> {
    const batchId = batch.id;
    const hash = this.keys.expiredBatchErasure(tenant, batchId);
    const actor = (await this.expiredBatchActor(tenant, batchId)) ?? 'unknown';
    const audit = this.auditEntry(tenant, 'batch.erased', batchId, actor);
    const members = [
      ...objects.map(rmMember),
      ...occurrences(batch.completed_at, null).map((at) =>
        jobMember(QueueName.Webhooks, dispatchJobIdOf('batch.completed', batchId, at)),
      ),
    ];
    await FINISH_EXPIRED_BATCH_ERASE.run(
      this.redis,
      [
        hash,
        this.redisKeys.outbox,
        this.keys.auditIndex(tenant),
        this.keys.auditEntries(tenant),
        this.redisKeys.work,
        this.batchKeys.tenantIndex(tenant),
      ],
      [
        this.redisKeys.prefix,
        tenant,
        batchId,
        this.due(),
        audit.member,
        audit.json,
        ErasureKeys.expiredBatchWorkMember(tenant, batchId),
        batchIndexMember(Date.parse(batch.created_at) || 0, batchId),
        ...members,
      ],
    );
    return members;
  }

  private auditEntry(tenant: string, action: string, subjectId: string, actor: string) {
    const now = Date.now();
    const id = `aud_${randomBytes(16).toString('base64url')}`;
    const entry = {
      id,
      action,
      at: new Date(now).toISOString(),
      actor: { api_key_id: actor },
      subject_digest: subjectDigest(tenant, subjectId),
    };
    return { member: batchIndexMember(now, id), json: JSON.stringify(entry) };
  }
}
