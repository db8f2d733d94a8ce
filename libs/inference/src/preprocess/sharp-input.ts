import sharp, { type FailOnOptions, type Sharp } from 'sharp';

export interface DecodeOptions {
  /** Apply EXIF orientation; the reference does not. */
  autoOrient?: boolean;
  /** Refuse images whose header declares more pixels than this. */
  maxPixels?: number;
}

/**
 * sharp configured like the reference's Image.open(...).convert("RGB"): first page or frame
 * only, embedded ICC profiles ignored (PIL does not apply them), no EXIF rotation unless asked,
 * and `failOn: 'error'` so a truncated or corrupt file fails instead of decoding to grey
 * padding, while libjpeg's mere warnings (which PIL ignores) do not. PNGs use 'truncated',
 * which makes libpng ignore chunk CRCs as Pillow does for IDAT (png-pillow.ts checks the
 * chunks Pillow does check).
 */
export function sharpInput(
  bytes: Uint8Array,
  options: DecodeOptions,
  failOn: FailOnOptions = 'error',
): Sharp {
  // A Buffer view (no copy): sharp reads Buffers as encoded images whatever their origin.
  return sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    failOn,
    ignoreIcc: true,
    autoOrient: options.autoOrient ?? false,
    limitInputPixels: options.maxPixels ?? true,
    pages: 1,
    page: 0,
    sequentialRead: true,
  });
}
