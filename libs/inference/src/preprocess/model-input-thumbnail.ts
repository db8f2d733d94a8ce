import sharp from 'sharp';
import type { ResizedImage } from './preprocess.types';

/** What a caller asks of the preprocessing thread besides the model input. */
export interface ThumbnailRequest {
  /** Long side in pixels; the thumbnail is never larger than the source image. */
  longSide: number;
  /** WebP quality, 1-100. */
  quality: number;
}

/**
 * The viewer's thumbnail (WebP) made from the model's input: the image exactly as the model saw
 * it (decoded and resized to the model's square by the exact path), stretched back to the source's
 * aspect ratio. Made in the preprocessing thread that has just decoded and resized the image, so
 * it costs no second decode: from the stored bytes, a thumbnail of a 1024x768 JPEG cost 16-20 ms
 * of CPU in the worker (a full decode, a full-size resize, an encode); from the model input it is
 * a 384x384 resize and the encode. The source's aspect is the header's: with AUTO_ORIENT on (off
 * by default, as in the reference) and an EXIF rotation of 90 degrees, it is the unrotated one.
 */
export async function modelInputThumbnail(
  resized: ResizedImage,
  request: ThumbnailRequest,
): Promise<Uint8Array> {
  const { width: sourceWidth, height: sourceHeight } = resized.source;
  const scale = Math.min(1, request.longSide / Math.max(sourceWidth, sourceHeight));
  const webp = await sharp(resized.rgb, {
    raw: { width: resized.width, height: resized.height, channels: 3 },
  })
    .resize(Math.max(1, Math.round(sourceWidth * scale)), Math.max(1, Math.round(sourceHeight * scale)), {
      fit: 'fill',
    })
    // effort 0 of 0-6 (sharp's default 4): the thumbnail was the largest piece of a worker's CPU
    // per image besides the model (resize and encode ~4 ms at effort 2, ~3 at 0 on the benches'
    // 384x384 images; 4.4 ms at the default), for files ~5% larger at the same quality setting.
    .webp({ quality: request.quality, effort: 0 })
    .toBuffer();
  // A plain copy of its own (a few KiB): sharp's Buffer must not be transferred between threads.
  return new Uint8Array(webp);
}
