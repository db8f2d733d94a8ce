import sharp from 'sharp';
import { decodeRgb, type DecodeOptions } from './decode-rgb';

/** What the viewer's thumbnail is. */
export interface ThumbnailRequest {
  /** Long side in pixels; the thumbnail is never larger than the image. */
  longSide: number;
  /** WebP quality, 1-100. */
  quality: number;
}

/**
 * The viewer's thumbnail (WebP) of an image's stored bytes. Decoded by the same exact path as the
 * model's input (the same decoders, DICOM included, and the same EXIF choice when the caller
 * passes the one its prediction was made with), then downscaled by libvips straight to
 * `longSide`. Made when the viewer first asks for it, not by the worker: a bulk archive's images
 * are mostly never looked at, and on a GPU pod the resize and encode (3-7 ms of CPU per image)
 * were the largest per-image cost besides decoding (docs/PIPELINE_COSTS.md).
 * Throws what decodeRgb throws for bytes that do not decode (InvalidImageError and its kin).
 */
export async function imageThumbnail(
  bytes: Uint8Array,
  request: ThumbnailRequest,
  options: DecodeOptions = {},
): Promise<Uint8Array> {
  const image = await decodeRgb(bytes, options);
  const scale = Math.min(1, request.longSide / Math.max(image.width, image.height));
  const webp = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), {
      fit: 'fill',
    })
    .webp({ quality: request.quality })
    .toBuffer();
  return new Uint8Array(webp.buffer, webp.byteOffset, webp.byteLength);
}
