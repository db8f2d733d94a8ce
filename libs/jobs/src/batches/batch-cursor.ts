/**
 * The tenant index is a sorted set whose scores are all 0; members are
 * `<999999999999999 - created ms, 15 digits>|<batch id>`, so Redis orders them newest first with
 * the id breaking ties, and a cursor (the last member of a page) resumes exactly after it.
 */
const LATEST = 999_999_999_999_999;

export function batchIndexMember(createdMs: number, id: string): string {
  return `${String(LATEST - Math.max(0, Math.floor(createdMs))).padStart(15, '0')}|${id}`;
}

export class InvalidBatchCursorError extends Error {
  constructor() {
    super('cursor is not one this API handed out; pass next_cursor from the previous page unchanged');
    this.name = 'InvalidBatchCursorError';
  }
}

export function encodeBatchCursor(member: string): string {
  return Buffer.from(member, 'utf8').toString('base64url');
}

export function decodeBatchCursor(cursor: string): string {
  const member = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!/^\d{15}\|bat_[A-Za-z0-9_-]{16,64}$/.test(member)) throw new InvalidBatchCursorError();
  return member;
}
