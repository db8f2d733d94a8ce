import type { IncomingMessage } from 'node:http';
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

async function parts(form: FormData, fileBytes = 1024): Promise<MultipartPart[]> {
  const out: MultipartPart[] = [];
  for await (const p of multipartParts(await request(form), {
    fileBytes,
    fieldBytes: 100,
    files: 10,
    fields: 10,
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
        p.kind === 'field' ? ['field', p.name, p.value] : ['file', p.filename, p.bytes.length, p.truncated],
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
});
