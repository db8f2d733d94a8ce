import type { Redis } from 'ioredis';
import { BatchKeys } from './batches/batch.keys';
import { cancelQueuedPredictions } from './batches/batch-control.repository';
import { CLAIM_UPLOAD, CREATE, CREATE_IN_BATCH, FINISH, START } from './batches/prediction.scripts';
import type {
  ImageInfo,
  PredictionError,
  PredictionRecord,
  PredictionResult,
  PredictionStatus,
} from './prediction.types';
import type { RecordFormat } from './config/redis.env';
import { RedisKeys } from './redis-keys';
import { ModelRegistry } from './records/model-registry';
import {
  decodeImage,
  decodeImageKey,
  decodePriority,
  decodeResult,
  encodeImage,
  encodeImageKey,
  encodeImageKeyCompatible,
  encodePriority,
  encodeResult,
  resultModelRef,
  type ModelLabels,
} from './records/record-codec';
import { copyMember, eventMember } from './reliability/outbox-entry';
import { ErasureKeys } from './erasure/erasure.keys';

type Hash = Record<string, string>;

/** What a move to a final state did: `changed` is false for a duplicate; a batch id when it completed. */
export interface FinishOutcome {
  changed: boolean;
  /** The batch this completion completed (sealed, and every prediction ended), at most once. */
  batchCompleted: string | null;
  /** The outbox members this change wrote (S3 copy, events): the caller relays them at once. */
  outbox: string[];
}

/** What a state change did not do: nothing to announce, nothing to copy. */
export const UNCHANGED: FinishOutcome = { changed: false, batchCompleted: null, outbox: [] };

/** The outbox members a prediction that became final at `at` owes (as the Lua scripts write them). */
export function finalOutboxMembers(
  tenant: string,
  id: string,
  status: 'succeeded' | 'failed',
  at: string,
  withEvent: boolean,
): string[] {
  const type = status === 'succeeded' ? 'prediction.succeeded' : 'prediction.failed';
  if (!withEvent) return [copyMember(id)];
  return [copyMember(id), eventMember({ type, tenant, predictionId: id, occurredAt: at })];
}

/** What a caller that loaded the record already knows of it (none of it changes after creation). */
export type KnownPrediction = Pick<PredictionRecord, 'tenant' | 'batch_id' | 'image'>;

/** What markProcessing did; `canceled` carries what ending it owes (batch.completed): relay it. */
export type StartOutcome =
  | { state: 'started' | 'running' | 'ended' }
  | { state: 'canceled'; outbox: string[] };

/** How `create` treats the record's filename inside its batch (see CREATE_IN_BATCH). */
export interface CreateOptions {
  /** `unique`: an existing filename answers its prediction; `remember`: first one wins; `none`. */
  nameMode?: 'unique' | 'remember' | 'none';
  /** The image comes later as a direct upload (seal fails it with upload_missing if it never does). */
  pending?: boolean;
  /** The Idempotency-Key reservation that named this id (erasure deletes it with the record). */
  idempotencyKey?: string;
}

export type CreateOutcome =
  | { kind: 'created'; outbox: string[] }
  | { kind: 'batch_sealed' }
  | { kind: 'batch_missing' }
  | { kind: 'existing'; id: string };

/**
 * The record as hash fields. Empty values are left out (a missing field reads as empty), and the
 * image and result are compact (records/record-codec.ts): with every value short, Redis keeps the
 * hash in its compact encoding, a few hundred bytes instead of ~2 KB.
 */
function serialise(record: PredictionRecord, format: RecordFormat): Hash {
  const compact = format === 'compact';
  const fields: Hash = {
    // Compact: no `id` (the key names the record, `<prefix>:prd:<id>`), no bulk priority, no
    // content-addressed image key: 64 B less per finished prediction in Redis' compact encoding
    // (issue 12). Versions before 2026-11-26 need all three (a record without `id` reads as missing).
    id: compact ? '' : record.id,
    tenant: record.tenant,
    status: record.status,
    created_at: record.created_at,
    completed_at: record.completed_at ?? '',
    batch_id: record.batch_id ?? '',
    filename: record.filename ?? '',
    metadata: Object.keys(record.metadata).length ? JSON.stringify(record.metadata) : '',
    image: encodeImage(record.image),
    result: record.result ? encodeResult(record.result) : '',
    error: record.error ? JSON.stringify(record.error) : '',
    image_key: compact
      ? encodeImageKey(record.imageKey, record.tenant, record.image.sha256)
      : encodeImageKeyCompatible(record.imageKey, record.image.sha256),
    priority: compact ? encodePriority(record.priority) : record.priority,
    webhook_url: record.webhookUrl ?? '',
    // Absent for a first run (most records): only a retry writes it.
    attempts: record.attempts > 1 ? String(record.attempts) : '',
  };
  for (const [name, value] of Object.entries(fields)) if (value === '') delete fields[name];
  return fields;
}

/** Whether an hgetall reply is a record (every record has a tenant; a missing key reads as {}). */
export function isPredictionHash(hash: Hash | null | undefined): hash is Hash {
  return Boolean(hash?.tenant);
}

/**
 * The record `id` from its hash fields (records written before 2026-11 also hold an `id` field,
 * ignored). A compact result needs its model's labels: load `resultModelRef(hash.result)` into
 * `models` first (PredictionRepository does).
 */
export function parsePrediction(
  id: string,
  hash: Hash,
  models: (ref: string) => ModelLabels,
): PredictionRecord {
  const image = decodeImage(hash.image);
  return {
    id,
    tenant: hash.tenant,
    status: hash.status as PredictionStatus,
    created_at: hash.created_at,
    completed_at: hash.completed_at || null,
    batch_id: hash.batch_id || null,
    filename: hash.filename || null,
    metadata: hash.metadata ? (JSON.parse(hash.metadata) as Record<string, unknown>) : {},
    image,
    result: hash.result ? decodeResult(hash.result, models) : null,
    error: hash.error ? (JSON.parse(hash.error) as PredictionError) : null,
    attempts: Number(hash.attempts) || 1,
    imageKey: decodeImageKey(hash.image_key, hash.tenant, image.sha256),
    priority: decodePriority(hash.priority),
    webhookUrl: hash.webhook_url || null,
  };
}

/** The model a result came from, as published for the API's dedupe lookups (`model:current`). */
export function modelOfResult(result: PredictionResult): string {
  const labels = result.probabilities.map((p) => p.label);
  return JSON.stringify({
    id: result.model.id,
    version: result.model.version,
    preprocessing: result.preprocessing,
    labels,
  });
}

/**
 * Prediction records as Redis hashes with a retention TTL (the S3 JSON is the durable copy).
 * Predictions in a batch also keep the batch's counters, item list and pending set, atomically.
 * Every state change also keeps the work index and the outbox (RedisKeys.work/outbox) in the
 * same Lua call: what still needs a worker, and what a final state still owes (event, S3 copy).
 */
export class PredictionRepository {
  private readonly batchKeys: BatchKeys;
  private readonly erasureKeys: ErasureKeys;
  readonly models: ModelRegistry;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionSeconds: number,
    /** How long the work index and the outbox trust the fast path before the reconciler looks. */
    private readonly reconcileAfterMs = 60_000,
    /** RECORD_FORMAT: how records are written (both formats are read). */
    private readonly format: RecordFormat = 'compact',
  ) {
    this.batchKeys = new BatchKeys(keys);
    this.erasureKeys = new ErasureKeys(keys);
    this.models = new ModelRegistry(redis, keys);
  }

  /** Records `ids[i]` from hgetall replies (missing ones null), with the models their results refer to. */
  async parseAll(
    ids: string[],
    hashes: Array<Hash | null | undefined>,
  ): Promise<Array<PredictionRecord | null>> {
    await this.models.load(hashes.map((h) => resultModelRef(h?.result)));
    return hashes.map((h, i) => (isPredictionHash(h) ? parsePrediction(ids[i], h, this.models.get) : null));
  }

  private due(): number {
    return Date.now() + this.reconcileAfterMs;
  }

  /**
   * Writes a new record once (a record with this id already there answers `existing`); inside a
   * batch only while the batch is open (else nothing is written).
   */
  async create(record: PredictionRecord, options: CreateOptions = {}): Promise<CreateOutcome> {
    const key = this.keys.prediction(record.id);
    if (record.result) await this.publishModel(record.result); // before any record refers to it
    const fields = Object.entries(serialise(record, this.format)).flat();
    if (options.idempotencyKey) fields.push('idem_key', options.idempotencyKey);
    const final = record.status === 'succeeded' || record.status === 'failed';
    // What the script wrote to the outbox, to relay at once: the copy, and the event when it says so.
    const outbox = (withEvent: boolean) =>
      final
        ? finalOutboxMembers(
            record.tenant,
            record.id,
            record.status as 'succeeded' | 'failed',
            record.completed_at ?? '',
            withEvent,
          )
        : [];
    const due = this.due();
    // Every record, cached or pending alike, uses its stored image until it expires (erasure).
    const imageRef = this.erasureKeys.imageRefs(record.tenant, record.image.sha256);
    if (!record.batch_id) {
      const created = (await CREATE.run(
        this.redis,
        [key, this.keys.work, this.keys.outbox, imageRef],
        [
          this.retentionSeconds,
          record.status,
          record.tenant,
          record.id,
          record.completed_at ?? '',
          due,
          due,
          ...fields,
        ],
      )) as number;
      return created >= 1
        ? { kind: 'created', outbox: outbox(created === 2) }
        : { kind: 'existing', id: record.id };
    }
    const b = this.batchKeys;
    const id = record.batch_id;
    const labels = record.result ? JSON.stringify(record.result.probabilities.map((p) => p.label)) : '';
    const [code, existing, event] = (await CREATE_IN_BATCH.run(
      this.redis,
      [key, b.batch(id), b.items(id), b.names(id), b.pending(id), this.keys.work, this.keys.outbox, imageRef],
      [
        record.tenant,
        record.id,
        this.retentionSeconds,
        record.status,
        record.filename ?? '',
        options.nameMode ?? 'none',
        options.pending ? '1' : '0',
        labels,
        record.completed_at ?? '',
        due,
        due,
        record.result?.model.version ?? '',
        ...fields,
      ],
    )) as [number, string, string?];
    if (code === 1) return { kind: 'created', outbox: outbox(event === '1') };
    if (code === 2) return { kind: 'existing', id: existing };
    return code === 0 ? { kind: 'batch_sealed' } : { kind: 'batch_missing' };
  }

  /** The record, or null when unknown, expired, or another tenant's (indistinguishable on purpose). */
  async get(tenant: string, id: string): Promise<PredictionRecord | null> {
    const record = await this.getAnyTenant(id);
    return record && record.tenant === tenant ? record : null;
  }

  async getAnyTenant(id: string): Promise<PredictionRecord | null> {
    const [record] = await this.parseAll([id], [await this.redis.hgetall(this.keys.prediction(id))]);
    return record;
  }

  /**
   * queued -> processing. `started`: this call moved it; `running`: it already was (an attempt
   * after a crash goes on); `ended`: nothing to run (gone, or succeeded/failed/canceled meanwhile);
   * `canceled`: its batch was canceled while it waited, and this call ended it `canceled`.
   */
  /**
   * `known`: the record as the caller loaded it (a worker has it in hand), so its batch and
   * tenant, which never change after creation, need not be read again (one round trip per image).
   */
  async markProcessing(id: string, known?: KnownPrediction): Promise<StartOutcome> {
    const key = this.keys.prediction(id);
    const [batchId, tenant] = known
      ? [known.batch_id, known.tenant]
      : await this.redis.hmget(key, 'batch_id', 'tenant');
    const batchKey = batchId ? this.batchKeys.batch(batchId) : key;
    const code = await START.run(this.redis, [key, batchKey], [batchId ? '1' : '0']);
    if (code === 1) return { state: 'started' };
    if (code === 0) return { state: 'running' };
    if (code !== -2 || !batchId || !tenant) return { state: 'ended' };
    const outcome = await cancelQueuedPredictions(this.redis, this.keys, tenant, batchId, [id], this.due());
    return { state: 'canceled', outbox: outcome?.outbox ?? [] };
  }

  /** `known`: see markProcessing. */
  async markSucceeded(
    id: string,
    result: PredictionResult,
    at = new Date(),
    known?: KnownPrediction,
  ): Promise<FinishOutcome> {
    await this.publishModel(result); // before any record refers to it
    return this.finish(id, 'succeeded', encodeResult(result), at, { result, known });
  }

  private publishModel(result: PredictionResult): Promise<void> {
    const { id, version } = result.model;
    return this.models.publish({ id, version, labels: result.probabilities.map((p) => p.label) });
  }

  /** `known`: see markProcessing. */
  async markFailed(
    id: string,
    error: PredictionError,
    at = new Date(),
    known?: KnownPrediction,
  ): Promise<FinishOutcome> {
    return this.finish(id, 'failed', JSON.stringify(error), at, { known });
  }

  /** Seal: fails a prediction still waiting for its direct upload, unless its upload was claimed. */
  async failPendingUpload(
    batchId: string,
    id: string,
    error: PredictionError,
    at = new Date(),
  ): Promise<FinishOutcome> {
    return this.finish(id, 'failed', JSON.stringify(error), at, { claimPending: batchId });
  }

  /**
   * A verified direct upload: out of the pending set, with its image header and, when given, the
   * record's whole metadata as it is to be (what the bytes added, such as `dicom`, in the same
   * call, so no claimed record lacks it). False when seal got there first.
   */
  async claimUpload(
    batchId: string,
    id: string,
    image: ImageInfo,
    metadata?: Record<string, unknown>,
  ): Promise<boolean> {
    const keys = [this.batchKeys.pending(batchId), this.keys.prediction(id), this.keys.work];
    const args = [id, encodeImage(image), this.due()];
    if (metadata) args.push(Object.keys(metadata).length ? JSON.stringify(metadata) : '');
    return (await CLAIM_UPLOAD.run(this.redis, keys, args)) === 1;
  }

  /** Whether a prediction of a batch is still waiting for its direct upload. */
  async isPendingUpload(batchId: string, id: string): Promise<boolean> {
    return (await this.redis.sismember(this.batchKeys.pending(batchId), id)) === 1;
  }

  private async finish(
    id: string,
    status: PredictionStatus,
    json: string,
    completedAt: Date,
    options: { result?: PredictionResult; claimPending?: string; known?: KnownPrediction },
  ): Promise<FinishOutcome> {
    const key = this.keys.prediction(id);
    const { result, claimPending, known } = options;
    // The batch id, tenant and image never change after creation, so reading them first is safe,
    // and so is taking them from a record the caller loaded (FINISH finds a vanished record itself).
    const [tenant, storedBatchId, image] = known
      ? [known.tenant, known.batch_id, null]
      : await this.redis.hmget(key, 'tenant', 'batch_id', 'image');
    if (!tenant) {
      // An expired record cannot wait for its upload any more either.
      if (claimPending) await this.redis.srem(this.batchKeys.pending(claimPending), id);
      // Nothing left to do for it either (a work entry outliving its record).
      await this.redis.zrem(this.keys.work, id);
      return UNCHANGED;
    }
    const batchId = storedBatchId || null;
    const fresh = result && !result.cached;
    const sha256 = known ? known.image.sha256 : image ? decodeImage(image).sha256 : '';
    const b = this.batchKeys;
    const dedupeKey = fresh
      ? b.dedupe(
          tenant,
          sha256,
          result.model.version,
          result.preprocessing.mode,
          result.preprocessing.auto_orient,
        )
      : key;
    const keys = [
      key,
      batchId ? b.batch(batchId) : key,
      batchId ? b.pending(batchId) : key,
      dedupeKey,
      b.currentModel,
      this.keys.work,
      this.keys.outbox,
    ];
    const labels = result ? JSON.stringify(result.probabilities.map((p) => p.label)) : '';
    const [code, event] = (await FINISH.run(this.redis, keys, [
      status,
      completedAt.toISOString(),
      status === 'succeeded' ? 'result' : 'error',
      json,
      batchId ? '1' : '0',
      claimPending ? '1' : '0',
      id,
      labels,
      fresh ? this.retentionSeconds : '',
      fresh ? modelOfResult(result) : '',
      this.due(),
      batchId ?? '',
      result?.model.version ?? '',
      this.keys.finalChannel,
    ])) as [number, number];
    if (code !== 1 && code !== 2) return UNCHANGED;
    const at = completedAt.toISOString();
    const outbox = finalOutboxMembers(tenant, id, status as 'succeeded' | 'failed', at, event === 1);
    const batchCompleted = code === 2 && batchId ? batchId : null;
    if (batchCompleted) {
      outbox.push(eventMember({ type: 'batch.completed', tenant, batchId: batchCompleted, occurredAt: at }));
    }
    return { changed: true, batchCompleted, outbox };
  }
}
