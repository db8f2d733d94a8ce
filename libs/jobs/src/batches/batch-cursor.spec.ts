import { batchIndexMember, decodeBatchCursor, encodeBatchCursor } from './batch-cursor';

describe('batch index and cursor', () => {
  it('orders newer batches first, and round-trips a cursor', () => {
    const older = batchIndexMember(1_700_000_000_000, 'bat_BBBBBBBBBBBBBBBBBBBBBB');
    const newer = batchIndexMember(1_700_000_000_001, 'bat_AAAAAAAAAAAAAAAAAAAAAA');
    expect([older, newer].sort()).toEqual([newer, older]);
    expect(decodeBatchCursor(encodeBatchCursor(older))).toBe(older);
  });

  it('refuses a cursor it did not hand out', () => {
    expect(() => decodeBatchCursor('nonsense')).toThrow(/next_cursor/);
    expect(() => decodeBatchCursor(encodeBatchCursor('000|prd_x'))).toThrow(/next_cursor/);
  });
});
