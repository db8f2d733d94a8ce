import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type MultipartPart, multipartParts } from './multipart-parts';

/** A request-like stream of a real multipart body, as undici's FormData writes it. */
async function request(form: FormData): Promise<IncomingMessage> {
  const res = new Response(form);
  const body = Readable.from(Buffer.from(await res.arrayBuffer()));
  return Object.assign(body, {
    headers: { 'content-type': res.headers.get('content-type')! },
  }) as unknown as IncomingMessage;
}

async function parts(
  form: FormData,
  fileBytes = 1024,
  extra: { parts?: number } = {},
): Promise<MultipartPart[]> {
  const out: MultipartPart[] = [];
  for await (const p of multipartParts(await request(form), {
    fileBytes,
    fieldBytes: 100,
    files: 10,
    fields: 10,
    ...extra,
  }))
    out.push(p);
  return out;
}

describe('multipartParts', () => {
  it('yields fields and files in order, keeps paths in filenames, and flags a file over the limit', async () => {
    const form = new FormData();
    form.append('image', new Blob([Buffer.alloc(10, 1)]), '2019/derm/IMG_0001.jpg');
    form.append('metadata', '{"a":1}');
    form.append('image', new Blob([Buffer.alloc(2000, 2)]), 'big.jpg');
    form.append('image', new Blob([Buffer.from('ü')]), 'ünï/cødé.jpg');
    const got = await parts(form);
    expect(
      got.map((p) =>
        p.kind === 'field' ? ['field', p.name, p.value] : ['file', p.filename, p.file.size, p.file.truncated],
      ),
    ).toEqual([
      ['file', '2019/derm/IMG_0001.jpg', 10, false],
      ['field', 'metadata', '{"a":1}'],
      ['file', 'big.jpg', 1024, true],
      ['file', 'ünï/cødé.jpg', 2, false],
    ]);
  });

  it('throws for a body that is not multipart', async () => {
    const req = Object.assign(Readable.from([Buffer.from('{}')]), {
      headers: { 'content-type': 'application/json' },
    });
    const limits = { fileBytes: 1, fieldBytes: 1, files: 1, fields: 1 };
    await expect(multipartParts(req as unknown as IncomingMessage, limits).next()).rejects.toThrow(
      /content type/i,
    );
  });

  it('fails a request with more parts than allowed instead of dropping the rest', async () => {
    const form = new FormData();
    for (let i = 0; i < 5; i++) form.append('metadata', '{}');
    await expect(parts(form, 1024, { parts: 3 })).rejects.toThrow(/more than 3 parts/);
  });

  it('spools a large file to disk with the same bytes and sha256, and removes it on dispose', async () => {
    const bytes = Buffer.alloc(9_000_000); // over the 8 MiB a file may keep in memory
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    const form = new FormData();
    form.append('image', new Blob([bytes]), 'big.bin');
    const [p] = await parts(form, 10_000_000);
    if (p.kind !== 'file') throw new Error('expected a file part');
    expect(p.file.size).toBe(bytes.length);
    expect(p.file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await p.file.head(10)).toEqual(bytes.subarray(0, 10));
    const body = p.file.body();
    expect(body).not.toBeInstanceOf(Buffer);
    const chunks: Buffer[] = [];
    for await (const c of body as Readable) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    await p.file.dispose();
  });

  it('fails, without an unheard stream error, when a part breaks off while an earlier one is being handled', async () => {
    const boundary = 'b0undary';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\nfirst\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="b.jpg"\r\n\r\ncut off`,
    );
    const req = Object.assign(Readable.from([body]), {
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    }) as unknown as IncomingMessage;
    const limits = { fileBytes: 1024, fieldBytes: 100, files: 10, fields: 10 };
    const seen: string[] = [];
    const run = async () => {
      for await (const p of multipartParts(req, limits)) {
        if (p.kind === 'file') seen.push(p.filename);
        await new Promise((resolve) => setTimeout(resolve, 50)); // the rest arrives meanwhile
      }
    };
    await expect(run()).rejects.toThrow(/Unexpected end of form/);
    expect(seen).toEqual(['a.jpg']);
  });
});
