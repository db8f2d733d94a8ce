import sharp, { type KernelEnum } from 'sharp';
import { asDecodeError, checkLikePillow, checkSize, decodeRgb, type DecodeOptions } from './decode-rgb';
import type { ImageHeader } from './image-header';
import type { RgbImage } from './pil-resample';
import { sharpInput } from './sharp-input';

export type FastKernel = keyof KernelEnum;

/**
 * libvips's kernel for fast mode: of those measured against exact mode on the fixtures
 * (FAST_MODE.md), 'linear' deviates least from PIL's antialiased bilinear.
 */
export const FAST_KERNEL: FastKernel = 'linear';

/**
 * Fast mode hands the resize to libvips only when the image is at least this many times the
 * model input on both sides: there shrink-on-load and libvips's resize save real time, while
 * for smaller images (and all upscales, where libvips's interpolation differs most from PIL's:
 * up to 12 grey levels on the fixtures) the exact path costs little more.
 */
export const FAST_MIN_SCALE = 2;

export function fastPathApplies(header: ImageHeader, width: number, height: number): boolean {
  const target = Math.max(width, height) * FAST_MIN_SCALE;
  return Math.min(header.width, header.height) >= target;
}

function rgbOf(data: Buffer, width: number, height: number): RgbImage {
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
}

/**
 * Fast mode's resize (where fastPathApplies): libvips resizes, not PIL's algorithm, so pixels
 * differ by a few grey levels (FAST_MODE.md). Plain JPEGs go straight through sharp, whose shrink-on-load decodes at 1/2, 1/4 or 1/8 scale
 * (the whole gain on large photographs). Everything else is decoded as in exact mode (alpha
 * dropped before resizing, not premultiplied; PIL's CMYK and 16-bit grey rules) and resized by
 * sharp from raw RGB.
 */
export async function resizeFast(
  bytes: Uint8Array,
  header: ImageHeader,
  width: number,
  height: number,
  options: DecodeOptions,
  kernel: FastKernel = FAST_KERNEL,
): Promise<RgbImage> {
  const resize = { width, height, fit: 'fill' as const, kernel };
  if (header.format === 'jpeg' && !header.cmyk) {
    checkSize(header.width, header.height, options.maxPixels);
    checkLikePillow(bytes, header);
    try {
      const { data, info } = await sharpInput(bytes, options)
        .resize(resize)
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      return rgbOf(data, info.width, info.height);
    } catch (err) {
      throw asDecodeError(err, header, options);
    }
  }
  const src = await decodeRgb(bytes, options);
  const { data, info } = await sharp(src.rgb, { raw: { width: src.width, height: src.height, channels: 3 } })
    .resize(resize)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return rgbOf(data, info.width, info.height);
}
