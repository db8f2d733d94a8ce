import { createHash } from 'node:crypto';
import type { ObjectStore } from './object-store';

export type VerifiedRead =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'missing' }
  /** More bytes than expected (reading stopped there), fewer, or another sha256. */
  | { kind: 'mismatch'; message: string };

/**
 * Reads an object that must be exactly `expected` (its size and sha256, as recorded when it was
 * verified): streamed, never more than `expected.bytes` (+1 to notice a longer object) held, and
 * hashed on the way. Whatever storage holds under that key, the caller gets the recorded bytes or
 * a mismatch: a result is never computed from other bytes than the ones its record names.
 */
export async function readVerified(
  store: ObjectStore,
  key: string,
  expected: { sha256: string; bytes: number },
): Promise<VerifiedRead> {
  const stream = await store.getStream(key);
  if (!stream) return { kind: 'missing' };
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const piece of stream) {
    const chunk = piece as Buffer;
    size += chunk.length;
    if (size > expected.bytes) {
      stream.destroy();
      return {
        kind: 'mismatch',
        message: `The stored image is larger than the ${expected.bytes} bytes recorded for it; it was not read.`,
      };
    }
    hash.update(chunk);
    chunks.push(chunk);
  }
  const sha256 = hash.digest('hex');
  if (size !== expected.bytes || sha256 !== expected.sha256) {
    return {
      kind: 'mismatch',
      message:
        `The stored image (${size} bytes, sha256 ${sha256.slice(0, 12)}…) is not the one recorded ` +
        `(${expected.bytes} bytes, sha256 ${expected.sha256.slice(0, 12)}…).`,
    };
  }
  return { kind: 'ok', bytes: Buffer.concat(chunks, size) };
}

/** Whether bytes already in memory are the ones a record names (same size and sha256). */
export function matchesRecorded(bytes: Buffer, expected: { sha256: string; bytes: number }): boolean {
  return (
    bytes.length === expected.bytes && createHash('sha256').update(bytes).digest('hex') === expected.sha256
  );
}
