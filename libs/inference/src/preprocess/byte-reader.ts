import { InvalidImageError } from '../errors';

/** Bounds-checked reads for header parsing: running off the end means a truncated header. */
export class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get length(): number {
    return this.bytes.length;
  }

  need(offset: number, count: number): void {
    if (offset < 0 || offset + count > this.bytes.length) {
      throw new InvalidImageError(`${this.what} header is truncated`);
    }
  }

  u8(o: number): number {
    this.need(o, 1);
    return this.bytes[o];
  }

  u16(o: number, littleEndian: boolean): number {
    this.need(o, 2);
    const b = this.bytes;
    return littleEndian ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }

  u32(o: number, littleEndian: boolean): number {
    this.need(o, 4);
    const b = this.bytes;
    const v = littleEndian
      ? b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)
      : (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    return v >>> 0;
  }

  i32le(o: number): number {
    return this.u32(o, true) | 0;
  }

  ascii(o: number, count: number): string {
    this.need(o, count);
    return String.fromCharCode(...this.bytes.subarray(o, o + count));
  }
}
