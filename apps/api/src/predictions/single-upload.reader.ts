import type { IncomingMessage } from 'node:http';
import { unsafeFilename } from '../batches/batch-filename';
import { ApiError } from '../errors/api-error';
import { MultipartError, multipartParts } from '../uploads/multipart-parts';
import type { SpooledFile } from '../uploads/spooled-file';

export interface SingleUpload {
  file: SpooledFile;
  /** The part's filename as sent (UTF-8), or null. */
  filename: string | null;
  /** The text fields (`metadata`, `webhook_url`, `priority`...), parsed by the caller's schema. */
  fields: Record<string, string>;
}

/** A single-image request has a handful of fields; anything far beyond is not a client of ours. */
const LIMITS = { files: 1, fields: 10, parts: 16, fieldBytes: 8 * 1024 };

/**
 * Reads POST /v1/predictions' multipart body: exactly one file field `image` (received into a
 * SpooledFile, so the request never sits in memory) and a few text fields, in any order. A
 * second image, a file under another name, too many parts or a broken body answer 400 and leave
 * nothing behind (the spooled file is removed).
 */
export async function readSingleUpload(req: IncomingMessage, maxUploadBytes: number): Promise<SingleUpload> {
  let upload: { file: SpooledFile; filename: string | null } | null = null;
  const fields: Record<string, string> = {};
  try {
    for await (const part of multipartParts(req, { ...LIMITS, fileBytes: maxUploadBytes })) {
      if (part.kind === 'field') {
        if (part.truncated) throw ApiError.invalid(`The field "${part.name}" is longer than 8 KiB.`);
        fields[part.name] = part.value;
        continue;
      }
      if (part.name !== 'image') {
        await part.file.dispose();
        throw ApiError.invalid(`Send the image in a file field named "image" (this one is "${part.name}").`);
      }
      const unsafe = unsafeFilename(part.filename);
      if (unsafe) {
        await part.file.dispose();
        throw ApiError.invalid(unsafe);
      }
      upload = { file: part.file, filename: part.filename || null };
    }
  } catch (err) {
    await upload?.file.dispose();
    if (err instanceof MultipartError) {
      const message = /more than 1 files/.test(err.message)
        ? 'Send exactly one image per request (use a batch for many).'
        : `The body could not be read as multipart/form-data: ${err.message}`;
      throw ApiError.invalid(message);
    }
    throw err;
  }
  if (!upload) throw ApiError.invalid('Send the image as a multipart/form-data file field named "image".');
  return { ...upload, fields };
}
