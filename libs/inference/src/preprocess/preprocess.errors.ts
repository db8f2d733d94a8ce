import { InferenceError, InvalidImageError } from '../errors';

/**
 * The bytes are not one of the formats we decode (JPEG, PNG, WebP, TIFF, GIF, BMP). `detected`
 * names a recognised but refused format (heic, avif, svg, ...), null when nothing was
 * recognised. The API answers it with 415 unsupported_media_type; later it is invalid_image.
 */
export class UnsupportedImageFormatError extends InvalidImageError {
  constructor(
    readonly detected: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'UnsupportedImageFormatError';
  }
}

/** The header declares more pixels than allowed: refused before any pixel is decoded. */
export class ImageTooLargeError extends InferenceError {
  constructor(
    readonly pixels: number,
    readonly maxPixels: number,
  ) {
    super('image_too_large', `image has ${pixels} pixels, more than the limit of ${maxPixels}`, true);
    this.name = 'ImageTooLargeError';
  }
}
