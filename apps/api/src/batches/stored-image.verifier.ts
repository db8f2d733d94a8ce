import { Inject, Injectable } from '@nestjs/common';
import type { ImageInfo } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { dicomMetadata } from '../dicom/dicom-metadata';
import { ApiError } from '../errors/api-error';
import { checkImageHeader, HEADER_BYTES } from '../predictions/upload-check';

/**
 * A checked image: its header, and for a DICOM file its `metadata.dicom` (CONTRACT.md), read from
 * the same first bytes as the header (a header that does not fit in them is refused as for a
 * multipart upload).
 */
export interface StoredImage {
  image: ImageInfo;
  dicom: Record<string, string> | null;
}

export type VerifyOutcome =
  | ({ kind: 'ok' } & StoredImage)
  /** Nothing arrived at the upload URL (yet). */
  | { kind: 'missing' }
  /** Other bytes than announced: a fresh upload can fix it. */
  | { kind: 'mismatch'; message: string }
  /** The bytes are what was announced but not an image we take: permanent. */
  | { kind: 'refused'; error: ApiError };

function mismatchMessage(
  size: number,
  sha256: string | null,
  expected: { sha256: string; bytes: number },
): string {
  const got = sha256 ? `${size} bytes, sha256 ${sha256.slice(0, 12)}…` : `${size} bytes`;
  return (
    `The uploaded object (${got}) is not the announced one (${expected.bytes} bytes, sha256 ` +
    `${expected.sha256.slice(0, 12)}…); it was discarded, upload the file again.`
  );
}

async function readHead(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= limit) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, limit);
}

/**
 * Checks what a client PUT straight to S3 (to the prediction's staging key) and only then writes
 * the content-addressed image (DESIGN.md: "written only after verification"). The staging object
 * is first copied server-side to a key no URL can write, and that snapshot is streamed once,
 * hashing every byte and keeping only its first bytes for the same header checks as a multipart
 * upload, so memory stays flat whatever the size and a PUT racing the check changes nothing.
 */
@Injectable()
export class StoredImageVerifier {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: ObjectStore,
  ) {}

  async verifyStaged(
    tenant: string,
    predictionId: string,
    imageKey: string,
    expected: { sha256: string; bytes: number },
  ): Promise<VerifyOutcome> {
    const staging = objectKeys.staging(tenant, predictionId);
    const head = await this.store.head(staging);
    if (!head) {
      // Nothing staged, but the same bytes may have been verified for another prediction since.
      const stored = await this.probeStored(imageKey, expected.sha256);
      return stored ? { kind: 'ok', ...stored } : { kind: 'missing' };
    }
    if (head.size !== expected.bytes) {
      await this.store.delete(staging).catch(() => undefined);
      return { kind: 'mismatch', message: mismatchMessage(head.size, null, expected) };
    }
    const snapshot = objectKeys.verifying(tenant, predictionId);
    await this.store.copy(staging, snapshot);
    try {
      const outcome = await this.verify(snapshot, expected);
      if (outcome.kind === 'ok' && !(await this.store.head(imageKey)))
        await this.store.copy(snapshot, imageKey);
      return outcome;
    } finally {
      // The staging object goes only now, once the image is at its content address (or the bytes
      // were refused): until then it is what tells an `uploads` call for the same file (a client
      // resuming while its dead run's completion is still being verified) that the bytes have
      // arrived. Deleted before the check, that call found neither and signed a second PUT. A
      // process dying mid-check leaves the staging object, so the next completion checks it
      // again instead of asking the client for the bytes once more.
      await this.store.delete(staging).catch(() => undefined);
      await this.store.delete(snapshot).catch(() => undefined);
    }
  }

  private async verify(key: string, expected: { sha256: string; bytes: number }): Promise<VerifyOutcome> {
    const stream = await this.store.getStream(key);
    if (!stream) return { kind: 'missing' };
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    for await (const piece of stream) {
      const chunk = piece as Buffer;
      size += chunk.length;
      if (size > expected.bytes) {
        stream.destroy();
        return { kind: 'mismatch', message: mismatchMessage(size, null, expected) };
      }
      hash.update(chunk);
      if (headLength < HEADER_BYTES) {
        head.push(chunk);
        headLength += chunk.length;
      }
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== expected.sha256 || size !== expected.bytes)
      return { kind: 'mismatch', message: mismatchMessage(size, sha256, expected) };
    try {
      return { kind: 'ok', ...this.checkHead(Buffer.concat(head), { bytes: size, sha256 }) };
    } catch (err) {
      if (err instanceof ApiError) return { kind: 'refused', error: err };
      throw err;
    }
  }

  /**
   * The header checks of a multipart upload; a DICOM file's identifiers from the same bytes (the
   * header probe has parsed them already, so this parse cannot fail where that one passed).
   */
  private checkHead(head: Buffer, whole: { bytes: number; sha256: string }): StoredImage {
    const image = checkImageHeader(head, whole, this.config);
    const dicom = image.format === 'dicom' ? dicomMetadata(head, this.config.dicomPatientId) : null;
    return { image, dicom };
  }

  /**
   * The header of an image already stored under its content address (verified when it arrived),
   * from its first bytes only; null when it is not there or does not pass.
   */
  async probeStored(key: string, sha256: string): Promise<StoredImage | null> {
    const head = await this.store.head(key);
    if (!head) return null;
    const stream = await this.store.getStream(key);
    if (!stream) return null;
    try {
      return this.checkHead(await readHead(stream, HEADER_BYTES), { bytes: head.size, sha256 });
    } catch {
      return null;
    }
  }
}
