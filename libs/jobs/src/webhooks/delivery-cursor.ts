/**
 * Index members are `<created ms, 15 digits>|<delivery id>` in sorted sets whose scores are all 0,
 * so Redis orders them by creation time with the id breaking ties, and a cursor (the last member
 * of a page) resumes exactly where the page ended.
 */
export function indexMember(createdMs: number, id: string): string {
  return `${String(Math.max(0, Math.floor(createdMs))).padStart(15, '0')}|${id}`;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this API handed out; pass next_cursor from the previous page unchanged');
    this.name = 'InvalidCursorError';
  }
}

export function encodeDeliveryCursor(member: string): string {
  return Buffer.from(member, 'utf8').toString('base64url');
}

export function decodeDeliveryCursor(cursor: string): string {
  const member = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!/^\d{15}\|dlv_[A-Za-z0-9_-]{16,64}$/.test(member)) throw new InvalidCursorError();
  return member;
}
