import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { SpooledFile } from './spooled-file';

export type MultipartPart =
  | { kind: 'field'; name: string; value: string; truncated: boolean }
  /** `file.truncated`: the file was longer than the limit. The consumer disposes of `file`. */
  | { kind: 'file'; name: string; filename: string; file: SpooledFile };

/** The request broke a limit (too many parts) or is not readable multipart: the client's fault. */
export class MultipartError extends Error {
  override name = 'MultipartError';
}

export interface MultipartLimits {
  fileBytes: number;
  fieldBytes: number;
  files: number;
  fields: number;
  /** Parts of any kind; more makes the request fail (a flood of tiny parts costs us, not them). */
  parts?: number;
}

type ParserEvent =
  | { type: 'file'; name: string; stream: Readable & { truncated?: boolean }; filename: string }
  | { type: 'field'; name: string; value: string; truncated: boolean }
  | { type: 'end' }
  | { type: 'error'; error: Error };

/**
 * The parts of a multipart/form-data request, in order, as it streams in. A file part is
 * received into a SpooledFile (hashed, in memory only while small, else on disk) before it is
 * yielded, and busboy stops reading the request until the consumer asks for the next part, so a
 * request of any size needs flat memory. Filenames keep their paths (`preservePath`) and are read
 * as UTF-8 (not latin1). Throws MultipartError for a body that is not multipart, one with more
 * parts than the limits allow, or a request that breaks off.
 */
export async function* multipartParts(
  req: IncomingMessage,
  limits: MultipartLimits,
): AsyncGenerator<MultipartPart> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      preservePath: true,
      defParamCharset: 'utf8',
      limits: {
        fileSize: limits.fileBytes,
        fieldSize: limits.fieldBytes,
        files: limits.files,
        fields: limits.fields,
        parts: limits.parts ?? Infinity,
      },
    });
  } catch (err) {
    throw new MultipartError((err as Error).message);
  }
  const queue: ParserEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (event: ParserEvent): void => {
    queue.push(event);
    wake?.();
  };
  parser.on('file', (name, stream, info) => {
    // A part that breaks while it waits in the queue errors its stream before anyone reads it;
    // unheard, that error would take the process down. The parser reports it too (below), and
    // reading the stream later rethrows it.
    stream.on('error', () => undefined);
    push({ type: 'file', name, stream, filename: info.filename ?? '' });
  });
  parser.on('field', (name, value, info) =>
    push({ type: 'field', name, value, truncated: info.valueTruncated }),
  );
  parser.on('close', () => push({ type: 'end' }));
  parser.on('error', (error: Error) => push({ type: 'error', error: new MultipartError(error.message) }));
  // busboy only flags these and drops the rest; dropping parts silently would lose images.
  const tooMany = (what: string, limit: number | undefined) => () =>
    push({ type: 'error', error: new MultipartError(`The request has more than ${limit} ${what}.`) });
  parser.on('partsLimit', tooMany('parts', limits.parts));
  parser.on('filesLimit', tooMany('files', limits.files));
  parser.on('fieldsLimit', tooMany('fields', limits.fields));
  req.on('aborted', () =>
    push({ type: 'error', error: new MultipartError('The request was aborted by the client.') }),
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
        const file = await SpooledFile.receive(event.stream).catch((err: Error) => {
          throw new MultipartError(err.message);
        });
        yield { kind: 'file', name: event.name, filename: event.filename, file };
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
