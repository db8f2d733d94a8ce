import {
  decodeDeliveryCursor,
  encodeDeliveryCursor,
  indexMember,
  InvalidCursorError,
} from './delivery-cursor';

describe('delivery index members and cursors', () => {
  it('orders members by creation time as strings, the id breaking ties', () => {
    const members = [
      indexMember(1_700_000_000_001, 'dlv_b'),
      indexMember(999, 'dlv_z'),
      indexMember(1_700_000_000_001, 'dlv_a'),
    ];
    expect([...members].sort()).toEqual([members[1], members[2], members[0]]);
  });

  it('round-trips a cursor and refuses one it did not hand out', () => {
    const member = indexMember(1_700_000_000_000, 'dlv_AAAAAAAAAAAAAAAAAAAAAA');
    expect(decodeDeliveryCursor(encodeDeliveryCursor(member))).toBe(member);
    expect(() => decodeDeliveryCursor('garbage!')).toThrow(InvalidCursorError);
    expect(() => decodeDeliveryCursor(encodeDeliveryCursor('000|bat_x'))).toThrow(InvalidCursorError);
  });
});
