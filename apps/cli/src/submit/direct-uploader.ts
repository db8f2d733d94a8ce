import { ApiRequestError } from '../api-client/api-client';
import type { UploadEntry, UploadTicket } from '../api-client/api.types';
import { sha256File } from './file-hash';
import { collectGarbage } from '@dermafleet/inference/threads/collect-garbage';
import { PutRefusedError, putFile, UrlRefusedError } from './put-object';
import type { Candidate, SubmitContext, Uploader } from './submit-context';

type Hashed = Candidate & { sha256: string };

/**
 * Files per `uploads` call (the API takes up to 1000). With the backpressure in `add`, about five
 * groups are in flight at once (two waiting for tickets, one filling, two groups' worth waiting
 * for completion), so this sets the CLI's working set: at 1,000 a file set of up to ~5,000 was
 * held, more than a 1,000-file archive ever reaches, and peak RSS still rose past that size. At
 * 250, ~1,250 files are in flight and the peak is the same at 1,000 files as at 100,000; the
 * calls cost the API no more per file.
 */
const GROUP_MAX = 250;
/** A smaller group goes out after waiting this long (a slow walk still shows progress). */
const GROUP_WAIT_MS = 1000;
/** Predictions per `uploads/complete` call (each is streamed and hashed by the API). */
const COMPLETE_MAX = 100;
/** Files hashed or completed between two full collections of the heap (collectGarbage). */
const COLLECT_EVERY = 500;
/**
 * PUTs remembered by sha256, so a duplicate file in the archive is not sent twice while its twin
 * is in flight: up to two groups waiting for their answer and two groups' worth waiting for their
 * completion (the backpressure in `add`). Once a twin's completion has been answered, the API
 * answers the duplicate without a URL (the bytes are stored). More would only be memory that
 * grows with the archive (it was 20,000: ~3 MB kept alive at 100,000 files).
 */
const REMEMBERED_PUTS = 4 * GROUP_MAX;

/**
 * The presigned path: hash each file (streamed), ask for upload URLs in groups of up to 1000,
 * PUT each file straight to S3 (none when `url` is null: the bytes are already stored), then tell
 * the API in groups which uploads are complete. Hashing, PUTs and the walk share one bounded
 * pool; the API calls run one after another in the background.
 */
export class DirectUploader implements Uploader {
  fatal: unknown = null;
  private group: Hashed[] = [];
  private groupSince = 0;
  private tickets: Promise<void> = Promise.resolve();
  private completions: Array<{ file: Hashed; id: string; sent: number }> = [];
  private completing: Promise<void> = Promise.resolve();
  private readonly puts = new Map<string, Promise<boolean>>();
  private pendingGroups = 0;
  private steps = 0;
  /** Uploaded files whose completion call has not answered yet. */
  private awaitingCompletion = 0;
  private groupWaiters: Array<() => void> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly ctx: SubmitContext) {
    this.timer = setInterval(() => {
      if (this.group.length && Date.now() - this.groupSince >= GROUP_WAIT_MS) this.flushGroup();
      if (this.completions.length) this.flushCompletions();
    }, 250);
    this.timer.unref();
  }

  async add(file: Candidate): Promise<void> {
    // Backpressure: hashing runs far ahead of uploading, and uploading ahead of the completion
    // calls (the API verifies every object), and every file waiting is held in memory; with at
    // most two groups waiting for tickets and two groups' worth for completion, memory stays
    // flat however large the archive (a million files) instead of holding most of it.
    while ((this.pendingGroups >= 2 || this.awaitingCompletion >= 2 * GROUP_MAX) && !this.fatal)
      await new Promise<void>((resolve) => this.groupWaiters.push(resolve));
    await this.ctx.pool.run(async () => {
      const sha256 = await sha256File(file.path, file.size);
      this.progressed(1);
      if (!this.group.length) this.groupSince = Date.now();
      this.group.push({ ...file, sha256 });
      if (this.group.length >= GROUP_MAX) this.flushGroup();
    });
  }

  async finish(): Promise<void> {
    try {
      await this.ctx.pool.drain();
      this.flushGroup();
      await this.tickets;
      await this.ctx.pool.drain();
      this.flushCompletions();
      await this.completing;
    } finally {
      clearInterval(this.timer);
    }
    if (this.fatal) throw this.fatal;
  }

  private flushGroup(): void {
    const files = this.group.splice(0);
    if (!files.length) return;
    this.pendingGroups++;
    this.tickets = this.tickets
      .then(() => this.guard(() => this.requestTickets(files)))
      .finally(() => {
        this.pendingGroups--;
        this.wakeAdders();
      });
  }

  /**
   * Memory flat in the archive's size: a full collection every COLLECT_EVERY steps, a step being a
   * file hashed or a file's completion answered (so they go on while the last groups complete).
   * Why: what a file costs while it waits in a group (often seconds) outlives V8's young
   * generation and dies in old space, which V8 collects only at a limit that grows with the run:
   * peak RSS rose with the archive (123 MiB at 1,000 files, 156 at 5,000, 191 at 100,000) although
   * what is held is bounded. A few ms per collection, ~0.02 ms per file.
   */
  private progressed(steps: number): void {
    const before = Math.floor(this.steps / COLLECT_EVERY);
    this.steps += steps;
    if (Math.floor(this.steps / COLLECT_EVERY) > before) collectGarbage();
  }

  private wakeAdders(): void {
    this.groupWaiters.splice(0).forEach((wake) => wake());
  }

  private flushCompletions(): void {
    while (this.completions.length) {
      const page = this.completions.splice(0, COMPLETE_MAX);
      this.completing = this.completing
        .then(() => this.guard(() => this.complete(page)))
        .finally(() => {
          this.awaitingCompletion -= page.length;
          this.progressed(page.length);
          this.wakeAdders();
        });
    }
  }

  /** A failure of a whole call (connection, auth, sealed batch) stops the run; files are never lost. */
  private async guard(work: () => Promise<void>): Promise<void> {
    if (this.fatal) return;
    try {
      await work();
    } catch (err) {
      this.fatal ??= err;
    }
  }

  private async requestTickets(files: Hashed[]): Promise<void> {
    const entries: UploadEntry[] = files.map((f) => ({
      filename: f.relPath,
      sha256: f.sha256,
      bytes: f.size,
      content_type: f.contentType,
      ...(f.metadata ? { metadata: f.metadata } : {}),
    }));
    let answer;
    try {
      answer = await this.ctx.api.uploads(this.ctx.batchId, entries);
    } catch (err) {
      // A refused call (not a lost one) fails its files, not the run.
      if (!(err instanceof ApiRequestError) || err.status !== 400) throw err;
      for (const file of files) this.ctx.failed(file, err.code, err.message);
      return;
    }
    const byName = new Map(files.map((f) => [f.relPath, f]));
    for (const rejected of answer.rejected ?? []) {
      const file = byName.get(rejected.filename ?? '');
      if (file) this.ctx.failed(file, rejected.error.code, rejected.error.message);
    }
    const answered = answer.uploads.flatMap((ticket) => {
      const file = byName.get(ticket.filename);
      return file ? [{ file, ticket }] : [];
    });
    // First the files answered without a URL: the bytes are in storage already (stored, or staged
    // before a crash). A twin of one (another name, same sha256) must not be PUT again, wherever
    // it sits in this answer: it is completed after this one, whose completion makes the bytes
    // the tenant's. (Taken in answer order, a twin listed before its staged sibling was PUT again.)
    for (const { file, ticket } of answered) {
      if (ticket.url) continue;
      if (!this.puts.has(file.sha256)) this.remember(file.sha256, Promise.resolve(true));
      this.queueCompletion(file, ticket.prediction_id, 0);
    }
    for (const { file, ticket } of answered)
      if (ticket.url) await this.ctx.pool.run(() => this.guard(() => this.upload(file, ticket)));
  }

  private async upload(file: Hashed, ticket: UploadTicket): Promise<void> {
    const earlier = this.puts.get(file.sha256);
    if (earlier && (await earlier)) return this.queueCompletion(file, ticket.prediction_id, 0);
    const attempt = this.put(file, ticket);
    this.remember(file.sha256, attempt);
    if (await attempt) this.queueCompletion(file, ticket.prediction_id, file.size);
  }

  /** The most recent REMEMBERED_PUTS only: memory stays flat however many files the archive has. */
  private remember(sha256: string, stored: Promise<boolean>): void {
    this.puts.set(sha256, stored);
    if (this.puts.size > REMEMBERED_PUTS) this.puts.delete(this.puts.keys().next().value as string);
  }

  /** True once the bytes are in S3; false when the file failed (reported). */
  private async put(file: Hashed, ticket: UploadTicket): Promise<boolean> {
    let current: UploadTicket = ticket;
    for (let refreshed = 0; ; refreshed++) {
      if (!current.url) return true;
      try {
        await putFile(current.url, current.headers, file.path, file.size);
        return true;
      } catch (err) {
        if (err instanceof UrlRefusedError && refreshed === 0) {
          const again = await this.ctx.api.uploads(this.ctx.batchId, [
            { filename: file.relPath, sha256: file.sha256, bytes: file.size, content_type: file.contentType },
          ]);
          if (!again.uploads[0]) break;
          current = again.uploads[0];
          continue;
        }
        if (err instanceof PutRefusedError || err instanceof UrlRefusedError) {
          this.ctx.failed(file, 'upload_failed', err.message);
          return false;
        }
        throw new Error(
          `Cannot upload to the storage (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); run submit again later.`,
        );
      }
    }
    this.ctx.failed(file, 'upload_failed', 'the API gave no new upload URL');
    return false;
  }

  private queueCompletion(file: Hashed, id: string, sent: number): void {
    this.completions.push({ file, id, sent });
    this.awaitingCompletion++;
    if (this.completions.length >= COMPLETE_MAX) this.flushCompletions();
  }

  private async complete(page: Array<{ file: Hashed; id: string; sent: number }>): Promise<void> {
    let answer;
    try {
      answer = await this.ctx.api.complete(
        this.ctx.batchId,
        page.map((p) => p.id),
      );
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 400) {
        for (const p of page) this.ctx.failed(p.file, err.code, err.message);
        return;
      }
      throw err;
    }
    const byId = new Map(page.map((p) => [p.id, p]));
    for (const accepted of answer.accepted) {
      const p = byId.get(accepted.id);
      if (p) this.ctx.done(p.file, p.id, p.sent);
    }
    for (const rejected of answer.rejected) {
      const p = byId.get(rejected.prediction_id);
      if (p) this.ctx.failed(p.file, rejected.error.code, rejected.error.message);
    }
  }
}
