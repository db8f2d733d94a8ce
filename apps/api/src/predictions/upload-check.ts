import { createHash } from 'node:crypto';
import { probeImage } from '@dermafleet/inference';
import type { ImageFormat, ImageInfo } from '@dermafleet/jobs';
import { ApiError } from '../errors/api-error';

/**
 * Upload-time checks (CONTRACT.md "Errors"): only the signature and the header are read; full
 * decoding happens in the worker, where a corrupt image fails only its own prediction.
 */
export function checkUpload(bytes: Buffer, limits: { maxUploadBytes: number; maxImagePixels: number }): ImageInfo {
  if (bytes.length === 0) throw new ApiError(415, 'unsupported_media_type', 'The file is empty.');
  if (bytes.length > limits.maxUploadBytes) {
    throw new ApiError(413, 'payload_too_large', `The file is larger than ${limits.maxUploadBytes} bytes.`);
  }
  let probe: { format: string; width: number; height: number };
  try {
    probe = probeImage(bytes);
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
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    width: probe.width,
    height: probe.height,
    format: probe.format as ImageFormat,
  };
}
