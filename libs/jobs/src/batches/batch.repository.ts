import type { Redis } from 'ioredis';
import { newId } from '../ids';
import { isPredictionHash, parsePrediction } from '../prediction.repository';
import { ModelRegistry } from '../records/model-registry';
import { resultModelRef } from '../records/record-codec';
import type { PredictionRecord } from '../prediction.types';
import { RedisKeys } from '../redis-keys';
import { eventMember } from '../reliability/outbox-entry';
import { batchIndexMember, decodeBatchCursor, encodeBatchCursor } from './batch-cursor';
import { BatchKeys } from './batch.keys';
import { CREATE_BATCH, SEAL } from './batch.scripts';
import {
  type Batch,
  type BatchNotifyMode,
  type BatchRecord,
  parseBatch,
  serialiseBatch,
  toPublicBatch,
} from './batch.types';

export interface NewBatch {
  tenant: string;
  name: string | null;
  metadata: Record<string, unknown>;
  webhookUrl: string | null;
  notify: BatchNotifyMode;
}

/** `changed`: this call sealed it; `completed`: this call completed it (announce batch.completed). */
/** `outbox`: what the seal owes (batch.completed), already in the outbox; relay it at once. */
export type SealOutcome =
  | { found: false }
  | { found: true; changed: boolean; completed: boolean; outbox: string[] };

export interface BatchPage {
  batches: Batch[];
  nextCursor: string | null;
}

/** One item of a batch: its record while retained in Redis, else null. */
export interface BatchItem {
  id: string;
  record: PredictionRecord | null;
}

/**
 * Batch records as Redis hashes (`<prefix>:bat:<id>`) with a retention TTL, refreshed whenever a
 * prediction joins. Counters change only inside Lua scripts (here and in PredictionRepository).
 */
export class BatchRepository {
  readonly keys: BatchKeys;
  private readonly models: ModelRegistry;

  constructor(
    private readonly redis: Redis,
    private readonly redisKeys: RedisKeys,
    private readonly retentionSeconds: number,
    /** When the reconciler relays an outbox entry the fast path did not (PredictionRepository). */
    private readonly reconcileAfterMs = 60_000,
  ) {
    this.keys = new BatchKeys(redisKeys);
    this.models = new ModelRegistry(redis, redisKeys);
  }

  async create(input: NewBatch, now = new Date()): Promise<BatchRecord> {
    return (await this.createOnce(input, newId('bat'), now)).record;
  }

  /**
   * A batch with this id (reserved by an Idempotency-Key), at most once: when a record with that
   * id is already there it is answered instead (`created` false).
   */
  async createOnce(
    input: NewBatch,
    id: string,
    now = new Date(),
    /** The Idempotency-Key reservation that named this id (erasure deletes it with the batch). */
    idempotencyKey?: string,
  ): Promise<{ record: BatchRecord; created: boolean }> {
    const record: BatchRecord = {
      id,
      status: 'open',
      name: input.name,
      metadata: input.metadata,
      created_at: now.toISOString(),
      sealed_at: null,
      completed_at: null,
      canceled_at: null,
      counts: { total: 0, queued: 0, processing: 0, succeeded: 0, failed: 0, canceled: 0 },
      model_versions: [],
      tenant: input.tenant,
      webhookUrl: input.webhookUrl,
      notify: input.notify,
      labels: null,
    };
    const key = this.keys.batch(record.id);
    const index = this.keys.tenantIndex(input.tenant);
    const created = await CREATE_BATCH.run(
      this.redis,
      [key, index],
      [
        this.retentionSeconds,
        batchIndexMember(now.getTime(), record.id),
        ...Object.entries(serialiseBatch(record)).flat(),
        ...(idempotencyKey ? ['idem_key', idempotencyKey] : []),
      ],
    );
    if (created === 1) return { record, created: true };
    const existing = await this.get(input.tenant, id);
    if (!existing) throw new Error(`Batch ${id} exists for another tenant or vanished.`);
    return { record: existing, created: false };
  }

  /** The record, or null when unknown, expired, or another tenant's (indistinguishable on purpose). */
  async get(tenant: string, id: string): Promise<BatchRecord | null> {
    if (!/^bat_[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
    const hash = await this.redis.hgetall(this.keys.batch(id));
    // A batch being erased (DELETE accepted, not finished yet) is gone for every reader.
    if (!hash.id || hash.tenant !== tenant || hash.status === 'erasing') return null;
    return parseBatch(hash);
  }

  /** The public batch object (what webhooks send as batch.completed data), or null. */
  async getPublic(tenant: string, id: string): Promise<Batch | null> {
    const record = await this.get(tenant, id);
    return record ? toPublicBatch(record) : null;
  }

  /** Newest first. Throws InvalidBatchCursorError for a cursor we did not hand out. */
  async list(tenant: string, limit: number, cursor?: string): Promise<BatchPage> {
    const index = this.keys.tenantIndex(tenant);
    const start = cursor ? `(${decodeBatchCursor(cursor)}` : '-';
    const members = await this.redis.zrangebylex(index, start, '+', 'LIMIT', 0, limit + 1);
    const page = members.slice(0, limit);
    const ids = page.map((m) => m.slice(m.indexOf('|') + 1));
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.batch(id));
    const hashes = ((await pipeline.exec()) ?? []).map(([, h]) => h as Record<string, string>);
    const batches: Batch[] = [];
    const expired: string[] = [];
    hashes.forEach((hash, i) => {
      if (hash?.status === 'erasing') return; // its erasure removes the index entry
      if (hash?.id && hash.tenant === tenant) batches.push(toPublicBatch(parseBatch(hash)));
      else expired.push(page[i]);
    });
    // Batches expire with retention; their index entries are dropped when a listing meets them.
    if (expired.length) await this.redis.zrem(index, ...expired);
    const more = members.length > limit;
    return { batches, nextCursor: more && page.length ? encodeBatchCursor(page[page.length - 1]) : null };
  }

  async seal(tenant: string, id: string, now = new Date()): Promise<SealOutcome> {
    const at = now.toISOString();
    const due = Date.now() + this.reconcileAfterMs;
    const code = await SEAL.run(
      this.redis,
      [this.keys.batch(id), this.redisKeys.outbox, this.keys.pending(id), this.redisKeys.work],
      [tenant, at, id, due, this.redisKeys.finalChannel],
    );
    if (code === -1) return { found: false };
    const outbox =
      code === 2 ? [eventMember({ type: 'batch.completed', tenant, batchId: id, occurredAt: at })] : [];
    return { found: true, changed: code === 1 || code === 2, completed: code === 2, outbox };
  }

  /** Up to `count` predictions still waiting for their direct upload (seal fails them). */
  async pendingSample(id: string, count: number): Promise<string[]> {
    return this.redis.srandmember(this.keys.pending(id), count);
  }

  /** The prediction a filename names in this batch, if any. */
  async findByFilename(id: string, filename: string): Promise<string | null> {
    return this.redis.hget(this.keys.names(id), filename);
  }

  /** The prediction ids of items [start, start + count) in creation order. */
  itemIds(id: string, start: number, count: number): Promise<string[]> {
    return this.redis.lrange(this.keys.items(id), start, start + count - 1);
  }

  /** Items [start, start + count) in creation order, with their records (one pipelined round trip). */
  async itemsPage(id: string, start: number, count: number): Promise<BatchItem[]> {
    const ids = await this.redis.lrange(this.keys.items(id), start, start + count - 1);
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    for (const predictionId of ids) pipeline.hgetall(this.redisKeys.prediction(predictionId));
    const results = (await pipeline.exec()) ?? [];
    const hashes = ids.map((_, i) => results[i]?.[1] as Record<string, string> | undefined);
    await this.models.load(hashes.map((h) => resultModelRef(h?.result)));
    return ids.map((predictionId, i) => {
      const hash = hashes[i];
      return {
        id: predictionId,
        record: isPredictionHash(hash) ? parsePrediction(predictionId, hash, this.models.get) : null,
      };
    });
  }
}
