import { randomBytes } from 'node:crypto';
import { FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes every byte (FileHandle.write may write fewer than asked). */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

/**
 * Writes a file under a hidden temporary name in the same folder, fsyncs it, then renames it
 * into place. A rename within one file system is atomic, so a crash or a kill mid-write leaves
 * either the old file or none at the final name, never a truncated model that looks valid.
 */
export async function writeFileAtomically(
  finalPath: string,
  writeContent: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const tempPath = join(
    dirname(finalPath),
    `.${basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(tempPath, 'wx');
  try {
    await writeContent(handle);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tempPath, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tempPath, finalPath);
}

export async function writeTextFileAtomically(finalPath: string, text: string): Promise<void> {
  await writeFileAtomically(finalPath, (handle) => writeAll(handle, Buffer.from(text, 'utf8')));
}
