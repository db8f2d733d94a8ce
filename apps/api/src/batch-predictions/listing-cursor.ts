import { ApiError } from '../errors/api-error';

export type ListingOrder = 'created' | 'confidence';

/**
 * A listing cursor is the position in the batch's order (its item list, or its confidence index)
 * where the next page starts scanning, so a page never rescans from the start whatever the filter.
 * Format: base64url of `<order>:<position>`.
 */
export function encodeListingCursor(order: ListingOrder, position: number): string {
  return Buffer.from(`${order}:${position}`, 'utf8').toString('base64url');
}

export function decodeListingCursor(cursor: string, order: ListingOrder): number {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(created|confidence):(\d{1,9})$/.exec(text);
  if (!match || match[1] !== order)
    throw ApiError.invalid(
      'cursor is not one this API handed out for this order; pass next_cursor from the previous page unchanged',
    );
  return Number(match[2]);
}
