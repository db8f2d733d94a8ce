import { contentTypeOf, sniffImageFormat } from '@dermafleet/inference/preprocess/image-sniff';
import { open } from 'node:fs/promises';

/** Enough for every signature we know (SVG is looked for in the first 4 KiB of text). */
const SNIFF_BYTES = 4096;

export type Sniff =
  | { kind: 'image'; contentType: string }
  /** Recognised but refused by the API (heic, avif, svg, pdf, ...): skipped with its name. */
  | { kind: 'refused'; format: string }
  | { kind: 'not_image' }
  | { kind: 'empty' }
  | { kind: 'unreadable'; message: string };

/** What a file is, from its first bytes only (never the file's name). */
export async function sniffFile(path: string): Promise<Sniff> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    if (bytesRead === 0) return { kind: 'empty' };
    const sniffed = sniffImageFormat(buffer.subarray(0, bytesRead));
    if (!sniffed) return { kind: 'not_image' };
    if (sniffed.kind === 'refused') return { kind: 'refused', format: sniffed.name };
    return { kind: 'image', contentType: contentTypeOf(sniffed.format) };
  } catch (err) {
    return { kind: 'unreadable', message: (err as Error).message };
  } finally {
    await handle?.close();
  }
}
