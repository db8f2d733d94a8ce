import { openAsBlob } from 'node:fs';
import { ApiRequestError } from '../api-client/api-client';
import type { Candidate, SubmitContext, Uploader } from './submit-context';

const formFilename = (name: string): string =>
  name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** One request carries up to this many files or bytes (whichever comes first). */
const REQUEST_FILES = 50;
const REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * `--multipart`: files go through the API in streamed multipart requests of up to 50 files,
 * several requests at once (the pool's size). A `metadata` field goes before each file whose
 * metadata differs from the previous one's. Re-sending a file after a crash is safe: the API
 * answers the same filename and bytes with the prediction it already made.
 */
export class MultipartUploader implements Uploader {
  fatal: unknown = null;
  private group: Candidate[] = [];
  private groupBytes = 0;

  constructor(private readonly ctx: SubmitContext) {}

  async add(file: Candidate): Promise<void> {
    this.group.push(file);
    this.groupBytes += file.size;
    if (this.group.length >= REQUEST_FILES || this.groupBytes >= REQUEST_BYTES) await this.send();
  }

  async finish(): Promise<void> {
    await this.send();
    await this.ctx.pool.drain();
    if (this.fatal) throw this.fatal;
  }

  private async send(): Promise<void> {
    const files = this.group;
    this.group = [];
    this.groupBytes = 0;
    if (files.length) await this.ctx.pool.run(() => this.post(files));
  }

  private async post(files: Candidate[]): Promise<void> {
    if (this.fatal) return;
    let answer;
    try {
      answer = await this.ctx.api.addImages(this.ctx.batchId, () => this.form(files));
    } catch (err) {
      if (err instanceof ApiRequestError && (err.status === 400 || err.status === 413)) {
        for (const file of files) this.ctx.failed(file, err.code, err.message);
      } else {
        this.fatal ??= err;
      }
      return;
    }
    // FormData escapes quotes and line breaks in filenames (WHATWG), so answers name them so.
    const byName = new Map(files.map((f) => [formFilename(f.relPath), f]));
    for (const accepted of answer.accepted) {
      const file = byName.get(accepted.filename ?? '');
      if (file) this.ctx.done(file, accepted.id, file.size);
    }
    for (const rejected of answer.rejected) {
      const file = byName.get(rejected.filename ?? '');
      if (file) this.ctx.failed(file, rejected.error.code, rejected.error.message);
    }
  }

  private async form(files: Candidate[]): Promise<FormData> {
    const form = new FormData();
    let current = '{}';
    for (const file of files) {
      const metadata = JSON.stringify(file.metadata ?? {});
      if (metadata !== current) form.append('metadata', metadata);
      current = metadata;
      form.append('image', await openAsBlob(file.path, { type: file.contentType }), file.relPath);
    }
    return form;
  }
}
