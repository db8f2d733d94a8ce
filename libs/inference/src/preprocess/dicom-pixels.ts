import { InvalidImageError } from '../errors';
import { DICOM_TAG, readDicomFile } from './dicom-dataset';
import { dicomImageHeader, type DicomImageHeader } from './dicom-image-header';
import type { RgbImage } from './pil-resample';

/**
 * A DICOM's first frame in the form the decoder takes: an encapsulated JPEG's own bitstream
 * (decoded by the exact path, so it gives the same pixels as that JPEG as a file), or
 * uncompressed pixels already as 8-bit RGB.
 */
export type DicomPixels = { kind: 'jpeg'; jpeg: Uint8Array } | { kind: 'rgb'; image: RgbImage };

/**
 * dcmjs gives Pixel Data as ArrayBuffers. Tested by tag rather than instanceof, which fails for
 * buffers from another realm (jest's sandbox).
 */
function pixelDataBuffers(value: unknown[] | undefined): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const v of value ?? []) {
    if (ArrayBuffer.isView(v)) parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else if (Object.prototype.toString.call(v) === '[object ArrayBuffer]')
      parts.push(new Uint8Array(v as ArrayBuffer));
  }
  if (parts.length === 0) throw new InvalidImageError('the DICOM file has no Pixel Data');
  return parts;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * dcmjs gives one buffer per frame where the Basic Offset Table delimits frames, else one per
 * fragment. A single-frame image may span several fragments (PS3.5 A.4): all are its bitstream.
 * For several frames we need one buffer per frame to know where the first one ends.
 */
function firstJpegFrame(parts: Uint8Array[], frames: number): Uint8Array {
  let jpeg: Uint8Array;
  if (frames === 1) jpeg = concat(parts);
  else if (parts.length === frames) jpeg = parts[0];
  else {
    throw new InvalidImageError(
      `the DICOM file has ${frames} frames in ${parts.length} fragments and no offset table to tell where the first frame ends`,
    );
  }
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) {
    throw new InvalidImageError('the DICOM JPEG pixel data does not start with a JPEG bitstream');
  }
  // Fragments have even lengths: an odd-length JPEG gets one padding byte after its EOI, which
  // the JPEG file itself does not have.
  const n = jpeg.length;
  if (n % 2 === 0 && jpeg[n - 1] === 0x00 && jpeg[n - 3] === 0xff && jpeg[n - 2] === 0xd9) {
    return jpeg.subarray(0, n - 1);
  }
  return jpeg;
}

/** PIL's Image.fromarray on the first frame: RGB as it is, planes interleaved, grey replicated. */
function firstRawFrame(bytes: Uint8Array, h: DicomImageHeader): RgbImage {
  const pixels = h.width * h.height;
  const frameBytes = pixels * h.samplesPerPixel;
  if (bytes.length < frameBytes) {
    throw new InvalidImageError(
      `the DICOM Pixel Data has ${bytes.length} bytes, fewer than the ${frameBytes} of one ${h.width}x${h.height} frame`,
    );
  }
  const rgb = new Uint8Array(pixels * 3);
  if (h.samplesPerPixel === 3 && !h.planar) rgb.set(bytes.subarray(0, frameBytes));
  else if (h.samplesPerPixel === 3) {
    for (let i = 0; i < pixels; i++) {
      rgb[i * 3] = bytes[i];
      rgb[i * 3 + 1] = bytes[pixels + i];
      rgb[i * 3 + 2] = bytes[2 * pixels + i];
    }
  } else {
    for (let i = 0; i < pixels; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = bytes[i];
  }
  return { rgb, width: h.width, height: h.height };
}

/** Parses the whole file and returns its first frame; refuses what dicomImageHeader refuses. */
export function readDicomPixels(bytes: Uint8Array): DicomPixels {
  const dataset = readDicomFile(bytes);
  const header = dicomImageHeader(dataset);
  const parts = pixelDataBuffers(dataset.elements[DICOM_TAG.pixelData]?.Value);
  if (header.encoding === 'jpeg') return { kind: 'jpeg', jpeg: firstJpegFrame(parts, header.frames) };
  return { kind: 'rgb', image: firstRawFrame(concat(parts), header) };
}
