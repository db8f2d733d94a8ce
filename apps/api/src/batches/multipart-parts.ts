import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

export type MultipartPart =
  | { kind: 'field'; name: string; value: string; truncated: boolean }
  /** `truncated`: the file was longer than the limit; `bytes` then holds only its first part. */
  | { kind: 'file'; name: string; filename: string; bytes: Buffer; truncated: boolean };

export interface MultipartLimits {
  fileBytes: number;
  fieldBytes: number;
  files: number;
  fields: number;
}

type ParserEvent =
  | { type: 'file'; name: string; stream: Readable & { truncated?: boolean }; filename: string }
  | { type: 'field'; name: string; value: string; truncated: boolean }
  | { type: 'end' }
  | { type: 'error'; error: Error };

async function collect(
  stream: Readable & { truncated?: boolean },
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), truncated: stream.truncated === true };
}

/**
 * The parts of a multipart/form-data request, in order, as it streams in. Only the part being
 * read is in memory (a file up to `fileBytes`): busboy stops reading the request until the
 * consumer asks for the next part, so a request of any size needs flat memory. Filenames keep
 * their paths (`preservePath`) and are read as UTF-8. Throws for a body that is not multipart
 * or a request that breaks off.
 */
export async function* multipartParts(
  req: IncomingMessage,
  limits: MultipartLimits,
): AsyncGenerator<MultipartPart> {
  const parser = busboy({
    headers: req.headers,
    preservePath: true,
    defParamCharset: 'utf8',
    limits: {
      fileSize: limits.fileBytes,
      fieldSize: limits.fieldBytes,
      files: limits.files,
      fields: limits.fields,
    },
  });
  const queue: ParserEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (event: ParserEvent): void => {
    queue.push(event);
    wake?.();
  };
  parser.on('file', (name, stream, info) =>
    push({ type: 'file', name, stream, filename: info.filename ?? '' }),
  );
  parser.on('field', (name, value, info) =>
    push({ type: 'field', name, value, truncated: info.valueTruncated }),
  );
  parser.on('close', () => push({ type: 'end' }));
  parser.on('error', (error: Error) => push({ type: 'error', error }));
  req.on('aborted', () =>
    push({ type: 'error', error: new Error('The request was aborted by the client.') }),
  );
  req.pipe(parser);
  let finished = false;
  try {
    for (;;) {
      if (!queue.length) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const event = queue.shift()!;
      if (event.type === 'end') {
        finished = true;
        return;
      }
      if (event.type === 'error') throw event.error;
      if (event.type === 'field') {
        yield { kind: 'field', name: event.name, value: event.value, truncated: event.truncated };
      } else {
        const { bytes, truncated } = await collect(event.stream);
        yield { kind: 'file', name: event.name, filename: event.filename, bytes, truncated };
      }
    }
  } finally {
    if (!finished) {
      // The consumer stopped early or the body broke: stop parsing and discard the rest.
      req.unpipe(parser);
      parser.removeAllListeners('file');
      req.resume();
    }
  }
}
