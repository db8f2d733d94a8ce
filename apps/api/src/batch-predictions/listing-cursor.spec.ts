import { ApiError } from '../errors/api-error';
import { decodeListingCursor, encodeListingCursor } from './listing-cursor';

describe('listing cursor', () => {
  it('round-trips a position for its order', () => {
    expect(decodeListingCursor(encodeListingCursor('created', 50_000), 'created')).toBe(50_000);
    expect(decodeListingCursor(encodeListingCursor('confidence', 0), 'confidence')).toBe(0);
  });

  it('refuses a cursor of another order, or one we did not hand out', () => {
    expect(() => decodeListingCursor(encodeListingCursor('created', 5), 'confidence')).toThrow(ApiError);
    expect(() => decodeListingCursor('bm9wZQ', 'created')).toThrow(ApiError);
    expect(() => decodeListingCursor('../..', 'created')).toThrow(ApiError);
  });
});
