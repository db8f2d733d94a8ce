import type { ImageFormat } from '@dermafleet/jobs';
import { MAX_METADATA_BYTES, type UploadEntry, uploadContentTypes } from './batch-fields.schema';
import { checkBatchFilename } from './batch-filename';
import type { RejectedFile } from './batch-results.types';

export type EntryCheck =
  | { ok: true; filename: string; format: ImageFormat }
  | { ok: false; rejected: RejectedFile };

/** What can be said of a direct-upload entry before anything is stored: its filename, type, size, metadata. */
export function checkUploadEntry(entry: UploadEntry, maxUploadBytes: number): EntryCheck {
  const reject = (filename: string, code: RejectedFile['error']['code'], message: string): EntryCheck => ({
    ok: false,
    rejected: { filename, error: { code, message } },
  });
  const name = checkBatchFilename(entry.filename);
  if (!name.ok) return reject(entry.filename, 'invalid_request', name.message);
  const filename = name.filename;
  if (entry.metadata && Buffer.byteLength(JSON.stringify(entry.metadata), 'utf8') > MAX_METADATA_BYTES) {
    return reject(filename, 'invalid_request', 'metadata must be at most 4 KiB of JSON.');
  }
  const format = uploadContentTypes[entry.content_type.toLowerCase()];
  if (!format) {
    const types = 'JPEG, PNG, WebP, TIFF, GIF or BMP; HEIC and SVG are refused';
    return reject(
      filename,
      'unsupported_media_type',
      `content_type ${entry.content_type} is not an image type we take (${types}).`,
    );
  }
  if (entry.bytes > maxUploadBytes) {
    return reject(filename, 'payload_too_large', `The file is larger than ${maxUploadBytes} bytes.`);
  }
  return { ok: true, filename, format };
}
