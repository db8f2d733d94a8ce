import type { Redis } from 'ioredis';
import type { PredictionError, PredictionRecord, PredictionResult, PredictionStatus } from './prediction.types';
import { RedisKeys } from './redis-keys';

type Hash = Record<string, string>;

/** What a move to a final state did: `changed` is false for a duplicate; a batch id when it completed. */
export interface FinishOutcome {
  changed: boolean;
  /** The batch this completion completed (sealed, and every prediction ended), at most once. */
  batchCompleted: string | null;
}

/**
 * Moves a prediction to a final state once: succeeded/failed are terminal, so a duplicate or a
 * late retry of the same job cannot complete it twice (batch counters build on this).
 * KEYS[1] prediction; ARGV status, completed_at, field, json. Returns 1 when it changed.
 */
const FINISH_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'succeeded' or status == 'failed' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'completed_at', ARGV[2], ARGV[3], ARGV[4])
return 1
`;

/** queued -> processing only; returns 1 when it changed. */
const START_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'processing')
return 1
`;

function serialise(record: PredictionRecord): Hash {
  return {
    id: record.id,
    tenant: record.tenant,
    status: record.status,
    created_at: record.created_at,
    completed_at: record.completed_at ?? '',
    batch_id: record.batch_id ?? '',
    filename: record.filename ?? '',
    metadata: JSON.stringify(record.metadata),
    image: JSON.stringify(record.image),
    result: record.result ? JSON.stringify(record.result) : '',
    error: record.error ? JSON.stringify(record.error) : '',
    image_key: record.imageKey,
    priority: record.priority,
    webhook_url: record.webhookUrl ?? '',
  };
}

function parse(hash: Hash): PredictionRecord {
  return {
    id: hash.id,
    tenant: hash.tenant,
    status: hash.status as PredictionStatus,
    created_at: hash.created_at,
    completed_at: hash.completed_at || null,
    batch_id: hash.batch_id || null,
    filename: hash.filename || null,
    metadata: JSON.parse(hash.metadata) as Record<string, unknown>,
    image: JSON.parse(hash.image) as PredictionRecord['image'],
    result: hash.result ? (JSON.parse(hash.result) as PredictionResult) : null,
    error: hash.error ? (JSON.parse(hash.error) as PredictionError) : null,
    imageKey: hash.image_key,
    priority: hash.priority as PredictionRecord['priority'],
    webhookUrl: hash.webhook_url || null,
  };
}

/** Prediction records as Redis hashes with a retention TTL (the S3 JSON is the durable copy). */
export class PredictionRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionSeconds: number,
  ) {}

  async create(record: PredictionRecord): Promise<void> {
    const key = this.keys.prediction(record.id);
    await this.redis.multi().hset(key, serialise(record)).expire(key, this.retentionSeconds).exec();
  }

  /** The record, or null when unknown, expired, or another tenant's (indistinguishable on purpose). */
  async get(tenant: string, id: string): Promise<PredictionRecord | null> {
    const record = await this.getAnyTenant(id);
    return record && record.tenant === tenant ? record : null;
  }

  async getAnyTenant(id: string): Promise<PredictionRecord | null> {
    const hash = await this.redis.hgetall(this.keys.prediction(id));
    return hash.id ? parse(hash) : null;
  }

  async markProcessing(id: string): Promise<boolean> {
    return (await this.redis.eval(START_SCRIPT, 1, this.keys.prediction(id))) === 1;
  }

  async markSucceeded(id: string, result: PredictionResult, at = new Date()): Promise<FinishOutcome> {
    return this.finish(id, 'succeeded', 'result', JSON.stringify(result), at);
  }

  async markFailed(id: string, error: PredictionError, at = new Date()): Promise<FinishOutcome> {
    return this.finish(id, 'failed', 'error', JSON.stringify(error), at);
  }

  private async finish(id: string, status: PredictionStatus, field: string, json: string, at: Date): Promise<FinishOutcome> {
    const changed = await this.redis.eval(FINISH_SCRIPT, 1, this.keys.prediction(id), status, at.toISOString(), field, json);
    return { changed: changed === 1, batchCompleted: null };
  }
}
