import type { Redis } from 'ioredis';
import { LuaScript } from '../batches/lua-script';
import { RedisKeys } from '../redis-keys';
import { EXPLANATION_GRID, type Explanation } from './explanation.types';

/**
 * KEYS record; ARGV field, value, ... Sets the fields only while the record exists: a worker's
 * write must not recreate, without its TTL, a record an erasure (or the retention) removed.
 * Returns 1 written, 0 gone.
 */
const UPDATE_IF_PRESENT = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`);

/** KEYS record; ARGV field. HINCRBY by 1 while the record exists; -1 when it is gone. */
const COUNT_IF_PRESENT = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
`);

export interface ExplanationRecord extends Explanation {
  tenant: string;
}

export interface ExplanationResult {
  map: number[][];
  label: string;
  baseline: number;
  model: { id: string; version: string };
}

/**
 * Explanation records as Redis hashes (`<prefix>:expl:<prediction id>`) with the retention TTL;
 * the map and overlay also live in S3. One explanation per prediction: asking again returns it,
 * unless it failed (then it starts over).
 */
export class ExplanationRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionSeconds: number,
  ) {}

  private key(predictionId: string): string {
    return this.keys.explanation(predictionId);
  }

  /**
   * Creates a queued record unless one is queued, processing or succeeded (a failed one starts
   * over); answers the status the explanation has now.
   */
  async request(tenant: string, predictionId: string, now = new Date()): Promise<Explanation['status']> {
    const key = this.key(predictionId);
    const status = (await this.redis.hget(key, 'status')) as Explanation['status'] | null;
    if (status && status !== 'failed') return status;
    await this.redis
      .multi()
      .del(key)
      .hset(key, { tenant, prediction_id: predictionId, status: 'queued', created_at: now.toISOString() })
      .expire(key, this.retentionSeconds)
      .exec();
    return 'queued';
  }

  /** The record, or null when none was asked for, or another tenant's. */
  async get(tenant: string, predictionId: string): Promise<ExplanationRecord | null> {
    const hash = await this.redis.hgetall(this.key(predictionId));
    if (!hash.status || hash.tenant !== tenant) return null;
    const result = hash.result ? (JSON.parse(hash.result) as ExplanationResult) : null;
    return {
      tenant: hash.tenant,
      prediction_id: predictionId,
      status: hash.status as Explanation['status'],
      method: 'occlusion',
      grid: [EXPLANATION_GRID, EXPLANATION_GRID],
      map: result?.map ?? null,
      label: result?.label ?? null,
      baseline_probability: result?.baseline ?? null,
      model: result?.model ?? null,
      fill: 'mean',
      overlay_url: result ? `/v1/predictions/${predictionId}/explanation/overlay.png` : null,
      created_at: hash.created_at,
      completed_at: hash.completed_at || null,
      error: hash.error ? (JSON.parse(hash.error) as Explanation['error']) : null,
    };
  }

  /**
   * Counts one re-enqueue of an explanation whose job was lost; answers how many there were, or
   * null when the record is gone (erased since it was read: nothing is recreated).
   */
  async countRequeue(predictionId: string): Promise<number | null> {
    const n = (await COUNT_IF_PRESENT.run(this.redis, [this.key(predictionId)], ['requeues'])) as number;
    return n < 0 ? null : n;
  }

  /**
   * False when the record is gone: erased (or expired) since the job was taken, so the worker must
   * write nothing. Once `processing` is set, an erasure is refused (409) until the record is final.
   */
  async markProcessing(predictionId: string): Promise<boolean> {
    return this.update(predictionId, { status: 'processing' });
  }

  async markSucceeded(predictionId: string, result: ExplanationResult, at = new Date()): Promise<boolean> {
    return this.update(predictionId, {
      status: 'succeeded',
      result: JSON.stringify(result),
      completed_at: at.toISOString(),
    });
  }

  async markFailed(
    predictionId: string,
    error: { code: string; message: string },
    at = new Date(),
  ): Promise<boolean> {
    return this.update(predictionId, {
      status: 'failed',
      error: JSON.stringify(error),
      completed_at: at.toISOString(),
    });
  }

  private async update(predictionId: string, fields: Record<string, string>): Promise<boolean> {
    const args = Object.entries(fields).flat();
    return (await UPDATE_IF_PRESENT.run(this.redis, [this.key(predictionId)], args)) === 1;
  }
}
