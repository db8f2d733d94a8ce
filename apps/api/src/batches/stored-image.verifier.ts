import { Inject, Injectable } from '@nestjs/common';
import type { ImageInfo } from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import { checkImageHeader } from '../predictions/upload-check';

/** Bytes kept from the start of an object for the header probe (JPEG EXIF/ICC can be long). */
const HEADER_BYTES = 2 * 1024 * 1024;

export type VerifyOutcome =
  | { kind: 'ok'; image: ImageInfo }
  /** Nothing arrived at the upload URL (yet). */
  | { kind: 'missing' }
  /** Other bytes than announced: a fresh upload can fix it. */
  | { kind: 'mismatch'; message: string }
  /** The bytes are what was announced but not an image we take: permanent. */
  | { kind: 'refused'; error: ApiError };

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
 * Checks what a client PUT straight to S3: streams the object once, hashing every byte and
 * keeping only its first bytes for the same header checks as a multipart upload, so memory
 * stays flat whatever the image size.
 */
@Injectable()
export class StoredImageVerifier {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: ObjectStore,
  ) {}

  async verify(key: string, expected: { sha256: string; bytes: number }): Promise<VerifyOutcome> {
    const stream = await this.store.getStream(key);
    if (!stream) return { kind: 'missing' };
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    for await (const piece of stream) {
      const chunk = piece as Buffer;
      size += chunk.length;
      if (size > this.config.maxUploadBytes) {
        stream.destroy();
        return this.refusal(
          key,
          new ApiError(
            413,
            'payload_too_large',
            `The file is larger than ${this.config.maxUploadBytes} bytes.`,
          ),
        );
      }
      hash.update(chunk);
      if (headLength < HEADER_BYTES) {
        head.push(chunk);
        headLength += chunk.length;
      }
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== expected.sha256 || size !== expected.bytes) {
      await this.store.delete(key).catch(() => undefined);
      return {
        kind: 'mismatch',
        message:
          `The uploaded object (${size} bytes, sha256 ${sha256.slice(0, 12)}…) is not the announced one ` +
          `(${expected.bytes} bytes, sha256 ${expected.sha256.slice(0, 12)}…); it was discarded, upload the file again.`,
      };
    }
    try {
      return {
        kind: 'ok',
        image: checkImageHeader(Buffer.concat(head), { bytes: size, sha256 }, this.config),
      };
    } catch (err) {
      if (err instanceof ApiError) return this.refusal(key, err);
      throw err;
    }
  }

  /**
   * The header of an image already stored under its content address (verified when it arrived),
   * from its first bytes only; null when it is not there or does not pass.
   */
  async probeStored(key: string, sha256: string): Promise<ImageInfo | null> {
    const head = await this.store.head(key);
    if (!head) return null;
    const stream = await this.store.getStream(key);
    if (!stream) return null;
    try {
      return checkImageHeader(
        await readHead(stream, HEADER_BYTES),
        { bytes: head.size, sha256 },
        this.config,
      );
    } catch {
      return null;
    }
  }

  /** Bytes we will never classify are not kept (nor offered later as "already stored"). */
  private async refusal(key: string, error: ApiError): Promise<VerifyOutcome> {
    await this.store.delete(key).catch(() => undefined);
    return { kind: 'refused', error };
  }
}
