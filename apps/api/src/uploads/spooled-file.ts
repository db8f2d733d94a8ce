import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** Files up to this size stay in memory (most parts of a many-small-files request); larger ones go to disk. */
const IN_MEMORY_BYTES = 64 * 1024;

let spoolDir: Promise<string> | null = null;
let spoolCount = 0;

/** One private folder per process under $TMPDIR for uploads being received. */
function spoolPath(): Promise<string> {
  spoolDir ??= mkdtemp(join(tmpdir(), 'dermafleet-spool-'));
  return spoolDir.then((dir) => join(dir, `${process.pid}-${++spoolCount}`));
}

/**
 * An uploaded file as it arrived, hashed on the way in and kept in memory only while small: the
 * rest of it is spooled to disk with backpressure, so an upload of any size holds at most
 * IN_MEMORY_BYTES plus one stream chunk of this process's memory while it is received (the
 * bound that keeps 50 concurrent 40 MB uploads from costing 2 GB). Call `dispose()` when done.
 */
export class SpooledFile {
  private constructor(
    readonly size: number,
    readonly sha256: string,
    /** The part was longer than the limit: only its first bytes were kept. */
    readonly truncated: boolean,
    private readonly memory: Buffer | null,
    private readonly path: string | null,
  ) {}

  static async receive(stream: Readable & { truncated?: boolean }): Promise<SpooledFile> {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    let file: { path: string; out: WriteStream } | null = null;
    try {
      for await (const piece of stream) {
        const chunk = piece as Buffer;
        hash.update(chunk);
        size += chunk.length;
        if (!file && size <= IN_MEMORY_BYTES) {
          chunks.push(chunk);
          continue;
        }
        if (!file) {
          const path = await spoolPath();
          file = { path, out: createWriteStream(path, { flags: 'wx' }) };
          for (const held of chunks.splice(0)) file.out.write(held);
        }
        if (!file.out.write(chunk)) await once(file.out, 'drain');
      }
      if (file) {
        file.out.end();
        await once(file.out, 'finish');
      }
    } catch (err) {
      if (file) {
        file.out.destroy();
        await rm(file.path, { force: true });
      }
      throw err;
    }
    const memory = file ? null : Buffer.concat(chunks, size);
    return new SpooledFile(size, hash.digest('hex'), stream.truncated === true, memory, file?.path ?? null);
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
    if (this.path) await rm(this.path, { force: true });
  }
}
