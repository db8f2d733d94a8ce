import sharp, { type Sharp } from 'sharp';
import { InvalidImageError } from '../errors';
import { checkSize, decodeRgb } from './decode-rgb';
import { readImageHeader } from './image-header';

/** What the viewer's thumbnail is. */
export interface ThumbnailRequest {
  /** Long side in pixels; the thumbnail is never larger than the image. */
  longSide: number;
  /** WebP quality, 1-100. */
  quality: number;
}

export interface ThumbnailOptions {
  /** Apply EXIF orientation, as the prediction's worker did (its result's `auto_orient`). */
  autoOrient?: boolean;
  /** Refuse images whose header declares more pixels than this (ImageTooLargeError). */
  maxPixels: number;
  /**
   * The formats libvips cannot read (BMP, DICOM) are decoded whole by our own decoders: refuse
   * those above this many pixels (each costs 3 bytes a pixel at once, in JavaScript).
   */
  maxWholeDecodePixels: number;
}

/** Formats libvips reads itself, shrinking while it loads (JPEG) or line by line (the rest). */
const LIBVIPS_FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif']);

/**
 * The viewer's thumbnail (WebP) of an image's stored bytes, `longSide` on its long side, made
 * when the viewer first asks for it (not by the worker: a bulk archive's images are mostly never
 * looked at, and on a GPU pod the resize and encode were 3-7 ms of CPU per image). libvips reads
 * the formats it knows without holding the full-size pixels (a JPEG is decoded at 1/2-1/8 scale),
 * so a 100 MP photo costs a few MB here; BMP and DICOM go through our exact decoders (as the
 * worker's), within `maxWholeDecodePixels`. It shows the image, not the model's 384x384 input.
 * Throws InvalidImageError (bytes that do not decode) and ImageTooLargeError.
 */
export async function imageThumbnail(
  bytes: Uint8Array,
  request: ThumbnailRequest,
  options: ThumbnailOptions,
): Promise<Uint8Array> {
  const header = readImageHeader(bytes);
  checkSize(header.width, header.height, options.maxPixels);
  let image: Sharp;
  if (LIBVIPS_FORMATS.has(header.format)) {
    image = sharp(bytes, { limitInputPixels: options.maxPixels, failOn: 'none' });
    if (options.autoOrient) image = image.rotate();
  } else {
    // decodeRgb refuses what is over its limit, from the header, before decoding.
    const rgb = await decodeRgb(bytes, {
      autoOrient: options.autoOrient,
      maxPixels: options.maxWholeDecodePixels,
    });
    image = sharp(rgb.rgb, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  }
  try {
    const webp = await image
      .resize(request.longSide, request.longSide, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: request.quality })
      .toBuffer();
    return new Uint8Array(webp.buffer, webp.byteOffset, webp.byteLength);
  } catch (err) {
    throw new InvalidImageError(
      `The image could not be decoded for its thumbnail: ${(err as Error).message}`,
    );
  }
}
