import { parseWaitMs } from './wait-query.schema';

describe('?wait= (parseWaitMs)', () => {
  it('reads seconds from 0 to 30, fractions included, as milliseconds; absent is 0', () => {
    expect(parseWaitMs(undefined)).toBe(0);
    expect(parseWaitMs('0')).toBe(0);
    expect(parseWaitMs('2.5')).toBe(2500);
    expect(parseWaitMs('30')).toBe(30_000);
    expect(parseWaitMs('0.001')).toBe(1);
  });

  it.each([['31'], ['30.5'], ['-1'], ['abc'], ['1e3'], [''], [' 5'], ['5s'], [['1', '2']]])(
    'refuses %p with 400 invalid_request',
    (raw) => {
      expect(() => parseWaitMs(raw)).toThrow(
        expect.objectContaining({ code: 'invalid_request', status: 400 }),
      );
    },
  );
});
