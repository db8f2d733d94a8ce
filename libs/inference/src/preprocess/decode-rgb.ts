import { InferenceError, InvalidImageError } from '../errors';
import { decodeBmp } from './bmp-decode';
import { readDicomPixels } from './dicom-pixels';
import { type ImageHeader, readImageHeader } from './image-header';
import type { ImageFormat } from './image-sniff';
import { checkGifFirstFrame } from './gif-pillow';
import { checkJpegTail } from './jpeg-finish-check';
import { checkPngChunksBeforeIdat, repairShortPng } from './png-pillow';
import { cmykToRgbPil, grey16ToRgbPil } from './pil-convert';
import type { RgbImage } from './pil-resample';
import { ImageTooLargeError } from './preprocess.errors';
import { type DecodeOptions, sharpInput } from './sharp-input';

export type { DecodeOptions } from './sharp-input';

export interface DecodedRgb extends RgbImage {
  format: ImageFormat;
  /** The header's size (before any EXIF rotation). */
  header: ImageHeader;
}

/** PIL and the model need at least this many pixels per side; smaller is a bad image. */
export const MIN_SIDE = 4;
/** sharp's own default pixel limit (0x3FFF squared), applied to our BMP decoder too. */
const DEFAULT_MAX_PIXELS = 268402689;

export function checkSize(width: number, height: number, maxPixels: number | undefined): void {
  const limit = maxPixels ?? DEFAULT_MAX_PIXELS;
  if (width * height > limit) throw new ImageTooLargeError(width * height, limit);
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new InvalidImageError(`image is ${width}x${height}; each side must be at least ${MIN_SIDE} pixels`);
  }
}

function bytesOf(data: Buffer): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

async function decodeWithSharp(bytes: Uint8Array, h: ImageHeader, options: DecodeOptions): Promise<RgbImage> {
  const input = sharpInput(bytes, options, h.format === 'png' ? 'truncated' : 'error');
  if (h.cmyk) {
    // Keep the pipeline in CMYK so libvips applies no profile; PIL's formula follows.
    const { data, info } = await input
      .pipelineColourspace('cmyk')
      .toColourspace('cmyk')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4)
      throw new InvalidImageError(`CMYK ${h.format} decoded to ${info.channels} channels`);
    return {
      rgb: cmykToRgbPil(bytesOf(data), info.width * info.height),
      width: info.width,
      height: info.height,
    };
  }
  if (h.grey16) {
    const { data, info } = await input
      .removeAlpha()
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1)
      throw new InvalidImageError(`16-bit grey ${h.format} decoded to ${info.channels} channels`);
    // Copy into an aligned Uint16Array: the Buffer's offset need not be even.
    const grey = new Uint16Array(info.width * info.height);
    new Uint8Array(grey.buffer).set(bytesOf(data).subarray(0, grey.byteLength));
    return { rgb: grey16ToRgbPil(grey), width: info.width, height: info.height };
  }
  const { data, info } = await input
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3)
    throw new InvalidImageError(`${h.format} decoded to ${info.channels} channels, not RGB`);
  return { rgb: bytesOf(data), width: info.width, height: info.height };
}

/** A libvips failure as the error the contract names: a bad image, or one over the pixel limit. */
export function asDecodeError(err: unknown, header: ImageHeader, options: DecodeOptions): Error {
  if (err instanceof InferenceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new ImageTooLargeError(header.width * header.height, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  }
  return new InvalidImageError(`could not decode ${header.format} image: ${message.trim()}`);
}

/**
 * Pillow's own checks where libvips is more lenient on damaged data (each module says why):
 * refuses, with InvalidImageError, what the reference refuses and sharp would decode.
 */
export function checkLikePillow(bytes: Uint8Array, header: ImageHeader): void {
  if (header.format === 'jpeg') checkJpegTail(bytes);
  else if (header.format === 'png') checkPngChunksBeforeIdat(bytes);
  else if (header.format === 'gif') checkGifFirstFrame(bytes);
}

/**
 * A DICOM's first frame. An encapsulated JPEG is decoded as that JPEG file would be (its own
 * header, size limits, Pillow's checks and EXIF options), so both give identical pixels; the
 * result keeps the JPEG's size as its header and says `dicom` as its format.
 */
async function decodeDicom(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedRgb> {
  const pixels = readDicomPixels(bytes);
  if (pixels.kind === 'jpeg') {
    const inner = await decodeRgb(pixels.jpeg, options);
    return { ...inner, format: 'dicom', header: { ...inner.header, format: 'dicom' } };
  }
  const { image } = pixels;
  checkSize(image.width, image.height, options.maxPixels);
  const header: ImageHeader = {
    format: 'dicom',
    width: image.width,
    height: image.height,
    cmyk: false,
    grey16: false,
  };
  return { ...image, format: 'dicom', header };
}

/**
 * Bytes to 8-bit RGB (HWC) as PIL 9.4's Image.open(...).convert("RGB") gives them: grey
 * replicated, palette expanded, alpha dropped (not composited), 16-bit RGB reduced to its high
 * byte, 16-bit grey clipped, CMYK by PIL's formula, no ICC profile and no EXIF rotation applied.
 * Throws InvalidImageError (or its UnsupportedImageFormatError) and ImageTooLargeError.
 */
export async function decodeRgb(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedRgb> {
  const header = readImageHeader(bytes);
  checkSize(header.width, header.height, options.maxPixels);
  if (header.format === 'dicom') return decodeDicom(bytes, options);
  checkLikePillow(bytes, header);
  let image: RgbImage;
  try {
    image = header.format === 'bmp' ? decodeBmp(bytes) : await decodeWithSharp(bytes, header, options);
  } catch (err) {
    const repaired = header.format === 'png' ? repairShortPng(bytes) : null;
    if (!repaired) throw asDecodeError(err, header, options);
    try {
      image = await decodeWithSharp(repaired, header, options);
    } catch (again) {
      throw asDecodeError(again, header, options);
    }
  }
  checkSize(image.width, image.height, options.maxPixels);
  return { ...image, format: header.format, header };
}
