import { Inject, Injectable } from '@nestjs/common';
import { BatchKeys, newId, RedisKeys, REDIS } from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { ApiError } from '../errors/api-error';

/** How long a key is remembered (CONTRACT.md: "within 24 h"). */
const KEY_TTL_SECONDS = 24 * 3600;

/**
 * The id an Idempotency-Key stands for. `first`: this request reserved it; `repeat`: an
 * identical request reserved it before (it may have finished, be in flight, or have died half
 * way): either way the caller creates that id, and creating is a no-op when it exists already.
 */
export type IdempotencyClaim = { kind: 'first' | 'repeat'; id: string; key: string };

/**
 * `Idempotency-Key` (POST /v1/predictions and POST /v1/batches): the first request reserves
 * `<prefix>:idem:<scope>:<tenant>:<sha256 of the key>` -> "<id> <request fingerprint>" with SET NX
 * (24 h). A repeat with the same fingerprint gets the same id; the record is created with that id
 * at most once (the create scripts are NX), so a first request that never finished (killed
 * mid-upload, Redis down) is simply completed by the retry. A different fingerprint is a different
 * request under a reused key: 422 idempotency_key_reused.
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

  /** Throws 400 for a malformed key (before anything is read or stored). */
  static check(idempotencyKey: string): void {
    if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw ApiError.invalid('Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.');
    }
  }

  async claim(
    scope: 'prd' | 'bat',
    tenant: string,
    idempotencyKey: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim> {
    IdempotencyService.check(idempotencyKey);
    const hash = createHash('sha256').update(idempotencyKey).digest('hex');
    // Predictions keep their original key layout (keys already stored stay valid).
    const key = this.keys.idempotency(scope === 'prd' ? tenant : `bat:${tenant}`, hash);
    const id = newId(scope);
    if ((await this.redis.set(key, `${id} ${fingerprint}`, 'EX', KEY_TTL_SECONDS, 'NX')) === 'OK') {
      return { kind: 'first', id, key };
    }
    const stored = await this.redis.get(key);
    if (stored === null) return this.claim(scope, tenant, idempotencyKey, fingerprint); // expired just now
    const [storedId, storedFingerprint] = stored.split(' ');
    // A reservation from before fingerprints were stored: treat as the same request.
    if (storedFingerprint !== undefined && storedFingerprint !== fingerprint) {
      throw new ApiError(
        422,
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request (another image or other fields); use a new key.',
      );
    }
    return { kind: 'repeat', id: storedId, key };
  }
}
