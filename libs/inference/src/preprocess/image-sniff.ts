/** The formats we decode; `format` in the contract's image object. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'bmp' | 'dicom';

export type Sniffed = { kind: 'supported'; format: ImageFormat } | { kind: 'refused'; name: string } | null;

function ascii(bytes: Uint8Array, start: number, length: number): string {
  if (bytes.length < start + length) return '';
  let s = '';
  for (let i = start; i < start + length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'mif2']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** ISO-BMFF (HEIC, AVIF): an `ftyp` box first; the major brand says which. */
function sniffFtyp(bytes: Uint8Array): string | null {
  if (ascii(bytes, 4, 4) !== 'ftyp') return null;
  const brand = ascii(bytes, 8, 4);
  if (AVIF_BRANDS.has(brand)) return 'avif';
  if (HEIF_BRANDS.has(brand)) return 'heic';
  if (brand === 'jxl ') return 'jxl';
  return null;
}

/** SVG is text: look for an <svg element near the start, after an optional XML prolog. */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 4096))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('<') && /<svg[\s>]/i.test(head);
}

const REFUSED_SIGNATURES: ReadonlyArray<{ name: string; sig: readonly number[] }> = [
  { name: 'pdf', sig: [0x25, 0x50, 0x44, 0x46] },
  { name: 'jpeg 2000', sig: [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20] },
  { name: 'jpeg 2000', sig: [0xff, 0x4f, 0xff, 0x51] },
  { name: 'jxl', sig: [0xff, 0x0a] },
  { name: 'psd', sig: [0x38, 0x42, 0x50, 0x53] },
  { name: 'ico', sig: [0x00, 0x00, 0x01, 0x00] },
];

/** The content type an upload of this format declares (DICOM's is not under image/). */
export function contentTypeOf(format: ImageFormat): string {
  return format === 'dicom' ? 'application/dicom' : `image/${format}`;
}

/**
 * DICOM Part 10: a 128-byte preamble, then `DICM`. Tested first because the preamble is free
 * for other uses: dual-personality files put a TIFF header there, and are DICOM to us.
 */
function isDicomPart10(bytes: Uint8Array): boolean {
  return ascii(bytes, 128, 4) === 'DICM';
}

/** The format from the signature bytes alone; never reads past the first few KiB. */
export function sniffImageFormat(bytes: Uint8Array): Sniffed {
  if (isDicomPart10(bytes)) return { kind: 'supported', format: 'dicom' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'supported', format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { kind: 'supported', format: 'png' };
  }
  const gif = ascii(bytes, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return { kind: 'supported', format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP')
    return { kind: 'supported', format: 'webp' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: 'supported', format: 'tiff' };
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) {
    return { kind: 'refused', name: 'bigtiff' };
  }
  if (ascii(bytes, 0, 2) === 'BM') return { kind: 'supported', format: 'bmp' };
  const ftyp = sniffFtyp(bytes);
  if (ftyp) return { kind: 'refused', name: ftyp };
  for (const { name, sig } of REFUSED_SIGNATURES)
    if (startsWith(bytes, sig)) return { kind: 'refused', name };
  if (looksLikeSvg(bytes)) return { kind: 'refused', name: 'svg' };
  return null;
}
