import { Inject, Injectable } from '@nestjs/common';
import { BatchKeys, newId, RedisKeys, REDIS } from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { ApiError } from '../errors/api-error';

/** How long a key is remembered (CONTRACT.md: "within 24 h"). */
const KEY_TTL_SECONDS = 24 * 3600;

export type IdempotencyClaim =
  /** First use: create the prediction with this id, or `release` on failure so a retry can. */
  | { kind: 'new'; predictionId: string; release: () => Promise<void> }
  /** A replay: the prediction the first request created. */
  | { kind: 'replay'; predictionId: string };

/**
 * `Idempotency-Key` on POST /v1/predictions: the first request reserves `<prefix>:idem:<tenant>:
 * <sha256 of the key>` -> a fresh prediction id with SET NX (24 h TTL) and creates exactly that
 * prediction; a repeat with the same key and tenant finds the id and creates nothing.
 */
@Injectable()
export class IdempotencyService {
  private readonly keys: BatchKeys;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    redisKeys: RedisKeys,
  ) {
    this.keys = new BatchKeys(redisKeys);
  }

  async claim(tenant: string, idempotencyKey: string): Promise<IdempotencyClaim> {
    if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw ApiError.invalid('Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.');
    }
    const key = this.keys.idempotency(tenant, createHash('sha256').update(idempotencyKey).digest('hex'));
    const predictionId = newId('prd');
    if ((await this.redis.set(key, predictionId, 'EX', KEY_TTL_SECONDS, 'NX')) === 'OK') {
      return {
        kind: 'new',
        predictionId,
        // Only our own reservation is removed, never a later request's.
        release: async () => {
          if ((await this.redis.get(key)) === predictionId) await this.redis.del(key);
        },
      };
    }
    const existing = await this.redis.get(key);
    if (!existing) return this.claim(tenant, idempotencyKey);
    return { kind: 'replay', predictionId: existing };
  }
}
