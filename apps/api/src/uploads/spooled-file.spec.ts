import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SpooledFile } from './spooled-file';

const MiB = 1024 * 1024;

/** `bytes` of distinct content in 64 KiB chunks, as busboy hands a file part over. */
function part(bytes: number, seed: number): { stream: Readable; body: Buffer } {
  const body = Buffer.alloc(bytes, seed & 255);
  body.writeUInt32LE(seed, 0);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes; at += 64 * 1024)
    chunks.push(body.subarray(at, Math.min(bytes, at + 64 * 1024)));
  return { stream: Readable.from(chunks), body };
}

async function bytesOf(file: SpooledFile): Promise<Buffer> {
  const body = file.body();
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('SpooledFile', () => {
  it('keeps a photo-sized upload in memory, and a larger one on disk, with the same bytes and hash', async () => {
    for (const [size, spooled] of [
      [1000, false],
      [3 * MiB, false],
      [9 * MiB, true],
    ] as const) {
      const { stream, body } = part(size, size);
      const file = await SpooledFile.receive(stream);
      expect([file.size, file.spooled]).toEqual([size, spooled]);
      expect(file.sha256).toBe(createHash('sha256').update(body).digest('hex'));
      expect((await bytesOf(file)).equals(body)).toBe(true);
      expect((await file.head(16)).equals(body.subarray(0, 16))).toBe(true);
      await file.dispose();
    }
  });

  it('spools once the uploads held in memory reach the budget, and frees it on dispose', async () => {
    const held: SpooledFile[] = [];
    for (let i = 0; i < 8; i++) held.push(await SpooledFile.receive(part(8 * MiB, i).stream));
    expect(held.map((f) => f.spooled)).toEqual(Array(8).fill(false));
    const over = await SpooledFile.receive(part(MiB, 100).stream);
    expect(over.spooled).toBe(true);
    const small = await SpooledFile.receive(part(60 * 1024, 101).stream);
    expect(small.spooled).toBe(false); // the first 64 KiB of any upload stay in memory, as before
    await held.pop()!.dispose();
    const after = await SpooledFile.receive(part(MiB, 102).stream);
    expect(after.spooled).toBe(false);
    await Promise.all([...held, over, small, after].map((f) => f.dispose()));
    const again = await SpooledFile.receive(part(8 * MiB, 103).stream);
    expect(again.spooled).toBe(false);
    await again.dispose();
  });
});
