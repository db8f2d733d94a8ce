import { InvalidImageError } from '../errors';

/**
 * What libjpeg does after the last scanline of a single-scan sequential JPEG, which Pillow runs
 * and libvips does not.
 *
 * Pillow's decoder ends with jpeg_finish_decompress(), which reads every marker up to EOI
 * (libjpeg-turbo 2.1 jdmarker.c read_markers): a marker that random bytes spelled inside the
 * scan (0xFF then anything but 0x00) stops the Huffman decoder and is then *processed*: an
 * unknown marker, a second SOI or SOF, or another SOS in a single-scan image is a libjpeg error,
 * so the reference raises "broken data stream". libvips stops after the last scanline and never
 * sees it. Multi-scan images (progressive, or one component per scan) are read to EOI inside
 * jpeg_start_decompress by both, so libvips already fails on them exactly as Pillow does; we
 * check only the single-scan case, and skip files whose scans carry restart intervals or
 * arithmetic coding (libjpeg resynchronises on markers there; we do not emulate that).
 */
export function checkJpegTail(bytes: Uint8Array): void {
  const scan = firstScan(bytes);
  if (!scan) return;
  const first = nextMarker(bytes, scan.dataStart, bytes.length);
  // No marker at all after the scan: the Huffman decoder itself runs out of data, which
  // suspends it mid-image; Pillow then has nothing more to give and reports truncation.
  if (!first) throw new InvalidImageError('JPEG is truncated: no marker after the image data');
  // Pillow feeds libjpeg the file in 64 KiB reads. The scan stops at the first marker, so the
  // block that holds it is the last one libjpeg gets; when jpeg_finish_decompress needs bytes
  // beyond it, it suspends, and Pillow 9.4 (JpegDecode.c) counts a suspended finish as done
  // because every row is already out. So only markers inside that window can fail the file.
  const windowEnd = Math.min(bytes.length, Math.ceil(first[1] / PILLOW_BLOCK) * PILLOW_BLOCK);
  const b = bytes.subarray(0, windowEnd);
  let found: [number, number] | null = first;
  while (found) {
    const [marker, after] = found;
    if (marker === 0xd9) return;
    const next = processMarker(b, marker, after);
    if (next === null) return; // suspended in jpeg_finish_decompress: Pillow accepts
    found = nextMarker(b, next, b.length);
  }
}

/** ImageFile.MAXBLOCK, the size of each read Pillow hands its decoder. */
const PILLOW_BLOCK = 65536;

interface ScanInfo {
  dataStart: number;
}

/** The header walk up to the first SOS; null when the check does not apply. */
function firstScan(b: Uint8Array): ScanInfo | null {
  let pos = 2;
  let components = 0;
  let sequential = false;
  let restarts = false;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return null; // libvips already refused or accepted this header
    while (pos < b.length && b[pos] === 0xff) pos++;
    const marker = b[pos++];
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (pos + 2 > b.length) return null;
    const length = (b[pos] << 8) | b[pos + 1];
    if (marker === 0xc0 || marker === 0xc1) {
      sequential = true;
      components = b[pos + 7];
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xcc) {
      return null; // progressive, arithmetic, lossless: libvips reads these to EOI itself
    } else if (marker === 0xdd) {
      restarts = pos + 4 <= b.length && ((b[pos + 2] << 8) | b[pos + 3]) !== 0;
    } else if (marker === 0xda) {
      const inScan = b[pos + 2];
      if (!sequential || restarts || inScan !== components) return null;
      return { dataStart: pos + length };
    }
    pos += length;
  }
  return null;
}

/**
 * next_marker(): skip anything up to 0xFF, swallow 0xFF fill bytes, and treat 0xFF 0x00 as data.
 * Returns the marker code and the offset after it, or null at the end of the bytes (where Pillow,
 * still waiting for EOI, reports a truncated file).
 */
function nextMarker(b: Uint8Array, from: number, end: number): [number, number] | null {
  // indexOf is memchr: the scan of a 12 MP file costs well under a millisecond this way.
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let pos = from;
  for (;;) {
    pos = buf.indexOf(0xff, pos);
    if (pos < 0 || pos >= end) return null;
    while (pos < end && b[pos] === 0xff) pos++;
    if (pos >= end) return null;
    const c = b[pos++];
    if (c !== 0) return [c, pos];
  }
}

function broken(what: string): never {
  throw new InvalidImageError(`JPEG data is corrupt: ${what} (libjpeg error)`);
}

/**
 * read_markers() for one marker met after the scan: throws on a libjpeg error, returns where its
 * segment ends, or null when libjpeg would need bytes past `b` (it suspends; see checkJpegTail).
 */
function processMarker(b: Uint8Array, marker: number, at: number): number | null {
  if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) return at; // RSTn, TEM: ignored
  if (marker === 0xd8) broken('second SOI marker');
  const hex = marker.toString(16).padStart(2, '0');
  const segmented =
    (marker >= 0xe0 && marker <= 0xef) || // APPn
    marker === 0xfe || // COM
    marker === 0xc4 || // DHT
    marker === 0xdb || // DQT
    marker === 0xdd || // DRI
    marker === 0xcc || // DAC
    marker === 0xdc || // DNL
    marker === 0xda || // SOS
    (marker >= 0xc0 && marker <= 0xcf);
  if (!segmented) broken(`unsupported marker 0x${hex}`);
  if (at + 2 > b.length) return null;
  const length = (b[at] << 8) | b[at + 1];
  const end = at + length;
  if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xcc) {
    broken(`second frame header (SOF 0x${hex})`);
  }
  if (marker === 0xda) broken('a second scan in a single-scan image');
  // Tables are checked as libjpeg reads them, so an error inside the window counts even when
  // the declared length runs past it.
  let complete = true;
  if (marker === 0xc4) complete = checkDht(b, at + 2, length - 2);
  else if (marker === 0xdb) complete = checkDqt(b, at + 2, length - 2);
  else if (marker === 0xcc) complete = checkDac(b, at + 2, length - 2);
  else if (marker === 0xdd && length !== 4) broken('bad DRI length');
  if (!complete || end > b.length) return null;
  // APPn, COM and DNL are skipped (length - 2 bytes; a length under 2 skips nothing).
  return length < 2 ? at + 2 : end;
}

/**
 * get_dht: table class/index, 16 counts, values; sizes must add up exactly. False when the
 * bytes end first (libjpeg would suspend there).
 */
function checkDht(b: Uint8Array, start: number, length: number): boolean {
  let pos = start;
  let left = length;
  while (left > 16) {
    if (pos + 17 > b.length) return false;
    const index = b[pos++];
    let count = 0;
    for (let i = 0; i < 16; i++) count += b[pos++];
    left -= 17;
    if (count > 256 || count > left) broken('bogus Huffman table definition');
    pos += count;
    left -= count;
    const slot = index & 0x10 ? index - 0x10 : index;
    if (pos > b.length) return false;
    if (slot < 0 || slot >= 4) broken(`bogus DHT index ${index}`);
  }
  if (left !== 0) broken('bogus DHT length');
  return true;
}

/** get_dqt: each table is an index byte and 64 values of 8 or 16 bits, short ones allowed. */
function checkDqt(b: Uint8Array, start: number, length: number): boolean {
  let pos = start;
  let left = length;
  while (left > 0) {
    if (pos >= b.length) return false;
    left--;
    const n = b[pos++];
    if ((n & 0x0f) >= 4) broken(`bogus DQT index ${n & 0x0f}`);
    const wide = n >> 4 !== 0;
    const count = wide ? (left < 128 ? left >> 1 : 64) : left < 64 ? left : 64;
    const bytes = wide ? count * 2 : count;
    pos += bytes;
    left -= bytes;
    if (pos > b.length) return false;
  }
  if (left !== 0) broken('bogus DQT length');
  return true;
}

/** get_dac: pairs of (index, value); DC pairs must have L <= U. */
function checkDac(b: Uint8Array, start: number, length: number): boolean {
  let left = length;
  let pos = start;
  while (left > 0) {
    if (pos + 2 > b.length) return false;
    const index = b[pos++];
    const value = b[pos++];
    left -= 2;
    if (index >= 32) broken(`bogus DAC index ${index}`);
    if (index < 16 && (value & 0x0f) > value >> 4) broken(`bogus DAC value 0x${value.toString(16)}`);
  }
  if (left !== 0) broken('bogus DAC length');
  return true;
}
