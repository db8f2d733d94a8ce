import { hash } from 'node:crypto';

/**
 * File fingerprints (relative path, size, mtime) with a one-byte outcome each, in flat typed
 * arrays: 9 bytes a slot instead of a JS string and array per file, so resuming a
 * million-file submission holds ~20 MB rather than ~150 MB. A fingerprint is 64 bits of SHA-1:
 * two files collide with probability ~n^2/2^65 (about 3e-8 at a million).
 */
export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private values: Uint8Array;
  private count = 0;

  constructor(capacity = 1024) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.values = new Uint8Array(size);
  }

  get size(): number {
    return this.count;
  }

  /** Sets (or replaces) the value of a file's fingerprint; `value` must be 1-255. */
  set(relPath: string, size: number, mtimeMs: number, value: number): void {
    const [h, l] = fingerprint(relPath, size, mtimeMs);
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    this.place(h, l, value);
  }

  /** The value stored for this exact (path, size, mtime), or 0. */
  get(relPath: string, size: number, mtimeMs: number): number {
    const [h, l] = fingerprint(relPath, size, mtimeMs);
    const mask = this.hi.length - 1;
    for (let i = l & mask; ; i = (i + 1) & mask) {
      if (this.values[i] === 0) return 0;
      if (this.hi[i] === h && this.lo[i] === l) return this.values[i];
    }
  }

  /** How many fingerprints hold `value`. */
  countOf(value: number): number {
    let n = 0;
    for (const v of this.values) if (v === value) n++;
    return n;
  }

  private place(h: number, l: number, value: number): void {
    const mask = this.hi.length - 1;
    for (let i = l & mask; ; i = (i + 1) & mask) {
      if (this.values[i] === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.values[i] = value;
        this.count++;
        return;
      }
      if (this.hi[i] === h && this.lo[i] === l) {
        this.values[i] = value;
        return;
      }
    }
  }

  private grow(): void {
    const { hi, lo, values } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(hi.length * 2);
    this.values = new Uint8Array(hi.length * 2);
    this.count = 0;
    for (let i = 0; i < hi.length; i++) if (values[i] !== 0) this.place(hi[i], lo[i], values[i]);
  }
}

function fingerprint(relPath: string, size: number, mtimeMs: number): [number, number] {
  const digest = hash('sha1', `${size}\0${mtimeMs}\0${relPath}`, 'buffer');
  return [digest.readUInt32LE(0), digest.readUInt32LE(4)];
}
