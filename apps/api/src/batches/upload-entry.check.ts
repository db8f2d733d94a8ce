import type { ImageFormat } from '@dermafleet/jobs';
import { metadataProblem } from '../common/metadata.schema';
import { type UploadEntry, uploadContentTypes } from './batch-fields.schema';
import { checkBatchFilename } from './batch-filename';
import type { RejectedFile } from './batch-results.types';

export type EntryCheck =
  | { ok: true; filename: string; format: ImageFormat; metadata: Record<string, unknown> }
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
  const metadataIssue = entry.metadata === undefined ? null : metadataProblem(entry.metadata);
  if (metadataIssue) return reject(filename, 'invalid_request', `${metadataIssue}.`);
  const format = uploadContentTypes[entry.content_type.toLowerCase()];
  if (!format) {
    const types = 'JPEG, PNG, WebP, TIFF, GIF, BMP or application/dicom; HEIC and SVG are refused';
    return reject(
      filename,
      'unsupported_media_type',
      `content_type ${entry.content_type} is not an image type we take (${types}).`,
    );
  }
  if (entry.bytes > maxUploadBytes) {
    return reject(filename, 'payload_too_large', `The file is larger than ${maxUploadBytes} bytes.`);
  }
  return { ok: true, filename, format, metadata: (entry.metadata ?? {}) as Record<string, unknown> };
}
