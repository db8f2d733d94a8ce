import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys';
import { ErasureKeys } from './erasure.keys';

/** One erasure as the audit log keeps it: no filename, metadata, DICOM UID, sha256 or id of the erased data. */
export interface AuditEntry {
  id: string;
  action: 'batch.erased' | 'prediction.erased';
  at: string;
  actor: { api_key_id: string };
  /** `sha256:<hex>` of `<tenant>:<erased id>`: whoever holds the id can check it, nobody can read it back. */
  subject_digest: string;
  counts: { predictions: number; images_released: number };
}

export class InvalidAuditCursorError extends Error {
  constructor() {
    super('cursor is not one this API handed out; pass next_cursor from the previous page unchanged');
    this.name = 'InvalidAuditCursorError';
  }
}

/** A tenant's audit log, newest first (written only by the erase scripts; kept without expiry). */
export class AuditRepository {
  private readonly keys: ErasureKeys;

  constructor(
    private readonly redis: Redis,
    redisKeys: RedisKeys,
  ) {
    this.keys = new ErasureKeys(redisKeys);
  }

  async list(
    tenant: string,
    limit: number,
    cursor?: string,
  ): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const start = cursor ? `(${decodeAuditCursor(cursor)}` : '-';
    const members = await this.redis.zrangebylex(
      this.keys.auditIndex(tenant),
      start,
      '+',
      'LIMIT',
      0,
      limit + 1,
    );
    const page = members.slice(0, limit);
    const ids = page.map((m) => m.slice(m.indexOf('|') + 1));
    const values = ids.length ? await this.redis.hmget(this.keys.auditEntries(tenant), ...ids) : [];
    const entries = values.filter((v): v is string => !!v).map((v) => JSON.parse(v) as AuditEntry);
    const more = members.length > limit;
    const last = page[page.length - 1];
    return { entries, nextCursor: more && last ? Buffer.from(last, 'utf8').toString('base64url') : null };
  }
}

function decodeAuditCursor(cursor: string): string {
  const member = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!/^\d{15}\|aud_[A-Za-z0-9_-]{16,64}$/.test(member)) throw new InvalidAuditCursorError();
  return member;
}
