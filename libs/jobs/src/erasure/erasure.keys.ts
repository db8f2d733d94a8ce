import type { RedisKeys } from '../redis-keys';

/**
 * Redis keys of erasure, under the deployment's KEY_PREFIX. Tenants are [A-Za-z0-9_-] and
 * sha256s hex, so neither can forge a key.
 */
export class ErasureKeys {
  constructor(private readonly keys: RedisKeys) {}

  get prefix(): string {
    return this.keys.prefix;
  }

  /** String (integer): how many prediction records of the tenant reference this stored image. */
  imageRef(tenant: string, sha256: string): string {
    return `${this.keys.prefix}:imgref:${tenant}:${sha256}`;
  }

  /**
   * String: set once every record created before the counts existed has been counted
   * (ImageRefBackfill). Until then no image is deleted: an uncounted record may still use it.
   */
  get imageRefsBackfilled(): string {
    return `${this.keys.prefix}:imgref-backfilled`;
  }

  /** Sorted set (member: intake token, score: expiry ms): intakes between HEAD/PUT and their record. */
  imageHolds(tenant: string, sha256: string): string {
    return `${this.keys.prefix}:imghold:${tenant}:${sha256}`;
  }

  /** String (eraser token), short TTL: the image object is being deleted right now. */
  imageErasing(tenant: string, sha256: string): string {
    return `${this.keys.prefix}:imgerasing:${tenant}:${sha256}`;
  }

  /** Sorted set (all scores 0, members `<ms, 15 digits>|<entry id>`): a tenant's audit, by age. */
  auditIndex(tenant: string): string {
    return `${this.keys.prefix}:audit:${tenant}`;
  }

  /** Hash: audit entry id -> entry JSON. */
  auditEntries(tenant: string): string {
    return `${this.keys.prefix}:audit:${tenant}:entries`;
  }

  /** List: the members a fast path did once, for their second pass (`again|<token>`). */
  secondPass(token: string): string {
    return `${this.keys.prefix}:erase-again:${token}`;
  }

  /** The work-index member of a batch erasure in progress (the reconciler resumes it). */
  static workMember(batchId: string): string {
    return `erase|${batchId}`;
  }
}
