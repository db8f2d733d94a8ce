import { randomBytes } from 'node:crypto';

export type IdPrefix = 'prd' | 'bat' | 'dlv';

/** Opaque, URL-safe, unguessable (128 random bits) ids with a type prefix. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return /^[a-z]{3}_[A-Za-z0-9_-]{16,64}$/.test(id) && id.startsWith(`${prefix}_`);
}
