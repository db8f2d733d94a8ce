import { createHash } from 'node:crypto';
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

  /**
   * Sorted set (member: prediction id, score: when its record expires, Unix seconds): the tenant's
   * prediction records that use this stored image. A record past its retention no longer holds the
   * image (its score is in the past), so an erasure never waits on a record that is gone; the key
   * expires with its newest record. The sha256 is base64url here: this key is kept per distinct
   * image for RETENTION_DAYS (issue 12: Redis per prediction).
   */
  imageRefs(tenant: string, sha256: string): string {
    return `${this.keys.prefix}:imgrefs:${tenant}:${Buffer.from(sha256, 'hex').toString('base64url')}`;
  }

  /**
   * String: set once every record created before the reference sets existed is in its image's set
   * (ImageRefBackfill). Until then no image is deleted: a record not yet listed may still use it.
   */
  get imageRefsBackfilled(): string {
    return `${this.keys.prefix}:imgrefs-backfilled`;
  }

  /**
   * String (integer): what the version before the reference sets counted per image. Still read
   * (BEGIN_ERASE waits while it is above 0: an older API replica of a rolling upgrade counts the
   * records it creates there only) and counted down, never written anew; it expires with the
   * newest record that version created for the image.
   */
  legacyImageCount(tenant: string, sha256: string): string {
    return `${this.keys.prefix}:imgref:${tenant}:${sha256}`;
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

  /**
   * Hash (actor, erased_predictions, erased_images, audited), a day's TTL: the erasure of a batch
   * past the retention, known only from its S3 manifest. It outlives the erasure (a DELETE racing
   * the end must not audit twice), so its name holds a digest of the batch id, not the id.
   */
  expiredBatchErasure(tenant: string, batchId: string): string {
    const digest = createHash('sha256').update(batchId).digest('base64url');
    return `${this.keys.prefix}:erase-expired:${tenant}:${digest}`;
  }

  /** The work-index member of an expired batch's erasure in progress (the reconciler resumes it). */
  static expiredBatchWorkMember(tenant: string, batchId: string): string {
    return `erase-expired|${tenant}|${batchId}`;
  }

  /** The work-index member of a batch erasure in progress (the reconciler resumes it). */
  static workMember(batchId: string): string {
    return `erase|${batchId}`;
  }
}
