import { probeImage } from '@dermafleet/inference';
import type { ImageFormat, ImageInfo } from '@dermafleet/jobs';
import { ApiError } from '../errors/api-error';
import type { SpooledFile } from '../uploads/spooled-file';

/** Bytes read from the start of an image for the header probe (JPEG EXIF/ICC can be long). */
export const HEADER_BYTES = 2 * 1024 * 1024;

export interface UploadLimits {
  maxUploadBytes: number;
  maxImagePixels: number;
}

/*
 * Upload-time checks (CONTRACT.md "Errors"): only the signature and the header are read; full
 * decoding happens in the worker, where a corrupt image fails only its own prediction.
 */

/**
 * The same checks from the first bytes of an image whose size and digest are already known (a
 * direct upload streamed from S3): `head` needs to hold the header, not the whole image.
 */
export function checkImageHeader(
  head: Buffer,
  whole: { bytes: number; sha256: string },
  limits: UploadLimits,
): ImageInfo {
  if (whole.bytes === 0) throw new ApiError(415, 'unsupported_media_type', 'The file is empty.');
  if (whole.bytes > limits.maxUploadBytes) {
    throw new ApiError(413, 'payload_too_large', `The file is larger than ${limits.maxUploadBytes} bytes.`);
  }
  let probe: { format: string; width: number; height: number };
  try {
    probe = probeImage(head);
  } catch (err) {
    throw new ApiError(415, 'unsupported_media_type', (err as Error).message);
  }
  if (probe.width * probe.height > limits.maxImagePixels) {
    throw new ApiError(
      413,
      'image_too_large',
      `The image is ${probe.width}x${probe.height} pixels; the limit is ${limits.maxImagePixels} pixels.`,
    );
  }
  return {
    sha256: whole.sha256,
    bytes: whole.bytes,
    width: probe.width,
    height: probe.height,
    format: probe.format as ImageFormat,
  };
}

/** The same checks for an upload received into a SpooledFile (only its first bytes are read). */
export async function checkSpooled(file: SpooledFile, limits: UploadLimits): Promise<ImageInfo> {
  if (file.truncated)
    throw new ApiError(413, 'payload_too_large', `The file is larger than ${limits.maxUploadBytes} bytes.`);
  return checkImageHeader(await file.head(HEADER_BYTES), { bytes: file.size, sha256: file.sha256 }, limits);
}
