import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** Files up to this size always stay in memory (most parts of a many-small-files request). */
const IN_MEMORY_BYTES = 64 * 1024;
/**
 * Larger files up to this size stay in memory too while the process's uploads together hold less
 * than IN_MEMORY_BUDGET; beyond either they go to disk. Why: a typical photo (0.1-5 MB) spooled
 * to disk cost about ten file-system calls on the hot path of every upload, ~1.5 ms of the API's
 * CPU per image on a small VM; the budget keeps the memory bound (50 concurrent 40 MB uploads
 * still cost at most the budget, not 2 GB).
 */
const IN_MEMORY_FILE_MAX = 8 * 1024 * 1024;
const IN_MEMORY_BUDGET = 64 * 1024 * 1024;

/** Bytes of the budget that uploads being received or in use hold now (this process). */
let budgetHeld = 0;

function takeBudget(bytes: number): boolean {
  if (budgetHeld + bytes > IN_MEMORY_BUDGET) return false;
  budgetHeld += bytes;
  return true;
}

function releaseBudget(bytes: number): void {
  budgetHeld = Math.max(0, budgetHeld - bytes);
}

let spoolDir: Promise<string> | null = null;
let spoolCount = 0;

/** One private folder per process under $TMPDIR for uploads being received. */
function spoolPath(): Promise<string> {
  spoolDir ??= mkdtemp(join(tmpdir(), 'dermafleet-spool-'));
  return spoolDir.then((dir) => join(dir, `${process.pid}-${++spoolCount}`));
}

/**
 * An uploaded file as it arrived, hashed on the way in and kept in memory only while small enough
 * (IN_MEMORY_BYTES always; up to IN_MEMORY_FILE_MAX while the process-wide IN_MEMORY_BUDGET
 * allows): the rest is spooled to disk with backpressure, so an upload of any size holds at most
 * IN_MEMORY_BYTES plus one stream chunk beyond what the budget bounds for all uploads together
 * (the bound that keeps 50 concurrent 40 MB uploads from costing 2 GB). Call `dispose()` when
 * done: it gives the budget back.
 */
export class SpooledFile {
  private constructor(
    readonly size: number,
    readonly sha256: string,
    /** The part was longer than the limit: only its first bytes were kept. */
    readonly truncated: boolean,
    private readonly memory: Buffer | null,
    private readonly path: string | null,
    /** Bytes of IN_MEMORY_BUDGET this file holds until dispose(). */
    private budget: number,
  ) {}

  static async receive(stream: Readable & { truncated?: boolean }): Promise<SpooledFile> {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    let file: { path: string; out: WriteStream } | null = null;
    let budget = 0;
    try {
      for await (const piece of stream) {
        const chunk = piece as Buffer;
        hash.update(chunk);
        size += chunk.length;
        if (!file && size <= IN_MEMORY_BYTES) {
          chunks.push(chunk);
          continue;
        }
        if (!file && size <= IN_MEMORY_FILE_MAX && takeBudget(chunk.length)) {
          budget += chunk.length;
          chunks.push(chunk);
          continue;
        }
        if (!file) {
          const path = await spoolPath();
          file = { path, out: createWriteStream(path, { flags: 'wx' }) };
          for (const held of chunks.splice(0)) file.out.write(held);
          releaseBudget(budget);
          budget = 0;
        }
        if (!file.out.write(chunk)) await once(file.out, 'drain');
      }
      if (file) {
        file.out.end();
        await once(file.out, 'finish');
      }
    } catch (err) {
      releaseBudget(budget);
      if (file) {
        file.out.destroy();
        await rm(file.path, { force: true });
      }
      throw err;
    }
    const memory = file ? null : Buffer.concat(chunks, size);
    const path = file?.path ?? null;
    return new SpooledFile(size, hash.digest('hex'), stream.truncated === true, memory, path, budget);
  }

  /** The first `max` bytes (the image header), read from disk when spooled. */
  async head(max: number): Promise<Buffer> {
    if (this.memory) return this.memory.subarray(0, max);
    const handle = await open(this.path!, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(max, this.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** The bytes, for an upload to S3 (a stream when spooled; pass `size` as its length). */
  body(): Buffer | Readable {
    return this.memory ?? createReadStream(this.path!);
  }

  async dispose(): Promise<void> {
    releaseBudget(this.budget);
    this.budget = 0;
    if (this.path) await rm(this.path, { force: true });
  }

  /** Whether the bytes went to disk (for tests and logs). */
  get spooled(): boolean {
    return this.path !== null;
  }
}
