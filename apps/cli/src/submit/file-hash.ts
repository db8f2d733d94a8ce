import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Files up to this size are read in one go; larger ones are streamed in chunks of this size. */
const WHOLE_FILE_BYTES = 1024 * 1024;

/**
 * The file's sha256, in flat memory for any size. Small files (most dermoscopy JPEGs) are read
 * whole: a stream would allocate a full chunk buffer per file for a few kilobytes of data.
 */
export async function sha256File(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  if (size <= WHOLE_FILE_BYTES) return hash.update(await readFile(path)).digest('hex');
  for await (const chunk of createReadStream(path, { highWaterMark: WHOLE_FILE_BYTES }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}
