import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { checkRetryable, withRetry } from '../api-client/http-retry';

/** The presigned URL was refused (expired, or signed for other headers): ask for a new one. */
export class UrlRefusedError extends Error {
  constructor(status: number) {
    super(`the storage refused the upload URL (HTTP ${status})`);
    this.name = 'UrlRefusedError';
  }
}

/** A PUT the storage refused for good (not a transient error, not an expired URL). */
export class PutRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PutRefusedError';
  }
}

/** Files up to this size are sent from memory (cheap for the many small ones); larger ones stream. */
const IN_MEMORY_BYTES = 8 * 1024 * 1024;

function sameSize(length: number, size: number): void {
  if (length !== size)
    throw new PutRefusedError('the file changed while it was being submitted; run submit again');
}

async function bodyOf(path: string, size: number): Promise<Buffer | Blob> {
  if (size <= IN_MEMORY_BYTES) {
    const bytes = await readFile(path);
    sameSize(bytes.length, size);
    return bytes;
  }
  const blob = await openAsBlob(path);
  sameSize(blob.size, size);
  return blob;
}

/**
 * PUTs a file to a presigned URL: from memory when small, else streamed from disk (a file-backed
 * Blob: known length, never read whole), with a timeout that grows with the size and retries
 * with backoff.
 */
export async function putFile(
  url: string,
  headers: Record<string, string>,
  path: string,
  size: number,
): Promise<void> {
  // 30 s plus 256 KiB/s: slow links still finish, a stalled one does not hang the run.
  const timeoutMs = 30_000 + Math.ceil(size / 256);
  await withRetry(async () => {
    const body = await bodyOf(path, size);
    const res = checkRetryable(
      await fetch(url, { method: 'PUT', body, headers, signal: AbortSignal.timeout(timeoutMs) }),
    );
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 403) throw new UrlRefusedError(res.status);
    if (!res.ok) throw new PutRefusedError(`the storage refused the upload (HTTP ${res.status})`);
  });
}
