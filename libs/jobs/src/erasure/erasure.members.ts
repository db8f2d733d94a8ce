/**
 * Outbox members of erasure (beside `cp|` and `ev|`, see reliability/outbox-entry.ts), written
 * by the erase Lua scripts in the same call that deletes the records, so no crash can leave an
 * object or a job behind without something that still owes its removal:
 *   `rm|<object key>`               delete one per-prediction S3 object (absent is fine)
 *   `job|<queue>|<job id>`          remove one BullMQ job in any state, its history included
 *   `img|<tenant>|<sha256>`         delete a stored image, its thumbnail and hot copy, if nothing
 *                                   of the tenant references it any more (re-checked, see BEGIN_ERASE)
 *   `mf|<tenant>|<batch>|<id>|<st>` take a prediction (its status st) out of the S3 manifest of
 *                                   its batch, once the batch's own keys have expired
 *   `again|<token>`                 the second pass over members the fast path already did once
 *                                   (listed in ErasureKeys.secondPass(token)), for writers that
 *                                   read a record just before its erasure and land after it
 * Object keys hold no `|` (tenants are [A-Za-z0-9_-], ids are ours); job ids hold no `|` either.
 */
export type ErasureMember =
  | { kind: 'rm'; member: string; key: string }
  | { kind: 'job'; member: string; queue: string; jobId: string }
  | { kind: 'img'; member: string; tenant: string; sha256: string }
  | { kind: 'mf'; member: string; tenant: string; batchId: string; predictionId: string; status: string }
  | { kind: 'again'; member: string; token: string };

export const rmMember = (key: string): string => `rm|${key}`;
export const jobMember = (queue: string, jobId: string): string => `job|${queue}|${jobId}`;
export const imageMember = (tenant: string, sha256: string): string => `img|${tenant}|${sha256}`;
export const againMember = (token: string): string => `again|${token}`;
export const manifestMember = (
  tenant: string,
  batchId: string,
  predictionId: string,
  status: string,
): string => `mf|${tenant}|${batchId}|${predictionId}|${status}`;

/** Null for a member that is not erasure's. */
export function parseErasureMember(member: string): ErasureMember | null {
  const parts = member.split('|');
  if (parts[0] === 'rm' && parts.length === 2) return { kind: 'rm', member, key: parts[1] };
  if (parts[0] === 'job' && parts.length === 3)
    return { kind: 'job', member, queue: parts[1], jobId: parts[2] };
  if (parts[0] === 'img' && parts.length === 3 && /^[0-9a-f]{64}$/.test(parts[2]))
    return { kind: 'img', member, tenant: parts[1], sha256: parts[2] };
  if (
    parts[0] === 'mf' &&
    parts.length === 5 &&
    /^[A-Za-z0-9_-]+$/.test(parts[1]) &&
    /^bat_[A-Za-z0-9_-]{16,64}$/.test(parts[2]) &&
    /^prd_[A-Za-z0-9_-]{16,64}$/.test(parts[3]) &&
    /^[a-z]+$/.test(parts[4])
  )
    return {
      kind: 'mf',
      member,
      tenant: parts[1],
      batchId: parts[2],
      predictionId: parts[3],
      status: parts[4],
    };
  if (parts[0] === 'again' && parts.length === 2 && /^[A-Za-z0-9_-]{8,64}$/.test(parts[1]))
    return { kind: 'again', member, token: parts[1] };
  return null;
}
