import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { fixturesDir } from '../harness/test-env';

/** Hostile and odd files for the door's suite, made here from real encoders or written by hand. */

const solid = (width: number, height: number, background = '#a05030') =>
  sharp({ create: { width, height, channels: 3, background } });

export const png = (width: number, height: number, background?: string): Promise<Buffer> =>
  solid(width, height, background).png().toBuffer();

export const fixture = (name: string): Promise<Buffer> => readFile(join(fixturesDir, name));

/** CRC-32 as PNG chunks need it (zlib's polynomial). */
function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose valid IHDR declares `width` x `height` (a decompression bomb's header), with a tiny IDAT. */
export function pngBombHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real JPEG with its SOF0 dimensions rewritten to `width` x `height` (at most 65535 each). */
export async function jpegBombHeader(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await solid(16, 16).jpeg().toBuffer());
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
  return jpeg;
}

/** The start of a HEIC file: an ISO-BMFF `ftyp` box with the `heic` brand (libvips here cannot write HEVC). */
export function heicHeader(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic', 4, 'ascii');
  ftyp.writeUInt32BE(0, 12);
  ftyp.write('mif1heic', 16, 'ascii');
  return Buffer.concat([ftyp, Buffer.alloc(200)]);
}

export const avif = (): Promise<Buffer> => solid(16, 16).avif().toBuffer();

export const svgWithXxe = (): Buffer =>
  Buffer.from(
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text>&xxe;</text></svg>\n',
  );

/** An animated GIF of `frames` frames: sharp's one-frame GIF with its frame block repeated. */
export async function animatedGif(frames: number): Promise<Buffer> {
  const one = await solid(8, 8).gif().toBuffer();
  let pos = 13 + (one[10] & 0x80 ? 3 * (1 << ((one[10] & 7) + 1)) : 0);
  const skipSubBlocks = () => {
    while (one[pos] !== 0) pos += one[pos] + 1;
    pos++;
  };
  let frameStart = pos;
  while (one[pos] === 0x21) {
    const label = one[pos + 1];
    pos += 2;
    skipSubBlocks();
    if (label === 0xff) frameStart = pos; // the looping extension stays in the header
  }
  if (one[pos] !== 0x2c) throw new Error('unexpected GIF layout');
  const packed = one[pos + 9];
  pos += 10 + (packed & 0x80 ? 3 * (1 << ((packed & 7) + 1)) : 0) + 1;
  skipSubBlocks();
  const frame = one.subarray(frameStart, pos);
  return Buffer.concat([
    one.subarray(0, frameStart),
    ...Array<Buffer>(frames).fill(frame),
    Buffer.from([0x3b]),
  ]);
}

export async function multiPageTiff(pages: number): Promise<Buffer> {
  const page = await png(8, 8);
  return sharp(Array<Buffer>(pages).fill(page), { join: { animated: true } })
    .tiff()
    .toBuffer();
}

export function png16(): Promise<Buffer> {
  // A Uint16Array input is read as 16 bits per sample (libvips "ushort").
  const raw = new Uint16Array(8 * 8 * 3).map((_, i) => (i * 977) & 0xffff);
  return sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
}

export const cmykJpeg = (): Promise<Buffer> => solid(32, 32).toColourspace('cmyk').jpeg().toBuffer();

/** A valid small JPEG padded after its end marker to `bytes` (decoders stop at EOI). */
export async function paddedJpeg(bytes: number, seed = 1): Promise<Buffer> {
  const jpeg = await solid(32, 32, `#${(0x102030 + seed).toString(16).padStart(6, '0')}`)
    .jpeg()
    .toBuffer();
  return Buffer.concat([jpeg, Buffer.alloc(bytes - jpeg.length)]);
}

/** A multipart/form-data body written by hand (for shapes FormData cannot make). */
export function multipartBody(
  boundary: string,
  parts: Array<{ name: string; filename?: string; body: Buffer | string }>,
  close = true,
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.filename
      ? `form-data; name="${part.name}"; filename="${part.filename}"`
      : `form-data; name="${part.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
