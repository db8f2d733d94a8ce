import { createReadStream } from 'node:fs';
import { open, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { CliError } from '../cli-errors';
import { FingerprintSet } from './fingerprint-set';

/** The journal's first line. */
interface JournalHeader {
  dermafleet_submit: 2;
  api: string;
  batch_id: string;
  inputs: string[];
}

/** One file's outcome ('d' done with its prediction id, 'f' failed with its error code), or the seal. */
type JournalLine = ['d' | 'f', string, number, number, string] | ['sealed'];

/** The state layout before the journal (one JSON map, rewritten whole): still read, then migrated. */
interface LegacyStateFile {
  version: 1;
  api: string;
  batch_id: string;
  inputs: string[];
  sealed: boolean;
  files: Record<string, [number, number, 'done' | 'failed', string]>;
}

const DONE = 1;
const FAILED = 2;

/**
 * The local record of a submission (`--state`, default .dermafleet-submit.json): an append-only
 * journal, one JSON value a line: a header (API, batch, inputs), then one line per file outcome
 * (relative path, size and mtime, so a changed file is sent again), then the seal. Lines are
 * appended in groups every few seconds; a re-run after Ctrl-C, a crash or a network error
 * continues where it stopped. A crash can tear the last line: it is ignored and cut off before
 * the next append. What the last append missed costs nothing twice: the API answers a re-sent
 * filename with its existing prediction, and `url: null` once the bytes are stored.
 *
 * Memory stays flat in the number of files: a fresh run keeps nothing per file, and a resumed
 * run keeps a 64-bit fingerprint per earlier outcome (FingerprintSet), never the paths.
 */
export class SubmitState {
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private lastWriteMs = 0;
  private failedHere = 0;

  private constructor(
    readonly path: string,
    private readonly header: JournalHeader,
    private readonly earlier: FingerprintSet,
    private sealedValue: boolean,
    private readonly failedBefore: number,
    /** The header still has to be written (a new journal). */
    private fresh: boolean,
  ) {}

  static async load(path: string): Promise<SubmitState | null> {
    let first: string | undefined;
    try {
      first = await readFirstLine(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CliError(`Cannot read the state file ${path}: ${(err as Error).message}`);
    }
    const refuse = (why: string) =>
      new CliError(
        `The state file ${path} is not one dermafleet wrote (${why}); pass another --state or delete it.`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(first ?? '');
    } catch (err) {
      throw refuse((err as Error).message);
    }
    if (isLegacy(parsed)) return SubmitState.migrate(path, parsed);
    const header = parsed as JournalHeader;
    if (header?.dermafleet_submit !== 2 || typeof header.batch_id !== 'string')
      throw refuse('unknown layout');
    const earlier = new FingerprintSet();
    let sealed = false;
    const completeBytes = await replay(path, (line) => {
      if (line[0] === 'sealed') sealed = true;
      else earlier.set(line[1], line[2], line[3], line[0] === 'd' ? DONE : FAILED);
    });
    await truncate(path, completeBytes); // a torn last line must not glue onto the next append
    return new SubmitState(path, header, earlier, sealed, earlier.countOf(FAILED), false);
  }

  static create(path: string, api: string, batchId: string, inputs: string[]): SubmitState {
    const header: JournalHeader = { dermafleet_submit: 2, api, batch_id: batchId, inputs };
    return new SubmitState(path, header, new FingerprintSet(16), false, 0, true);
  }

  /** A version-1 state file becomes a journal with the same outcomes (written atomically). */
  private static async migrate(path: string, legacy: LegacyStateFile): Promise<SubmitState> {
    const state = SubmitState.create(path, legacy.api, legacy.batch_id, legacy.inputs);
    for (const [rel, [size, mtime, outcome, value]] of Object.entries(legacy.files)) {
      if (outcome === 'done') state.markDone(rel, size, mtime, value);
      else state.markFailed(rel, size, mtime, value);
    }
    if (legacy.sealed) state.markSealed();
    await state.save();
    return (await SubmitState.load(path))!;
  }

  get batchId(): string {
    return this.header.batch_id;
  }
  get api(): string {
    return this.header.api;
  }
  get inputs(): string[] {
    return this.header.inputs;
  }
  get sealed(): boolean {
    return this.sealedValue;
  }

  /** The file's outcome in an earlier run when it is unchanged since (same size and mtime). */
  outcomeOf(relPath: string, size: number, mtimeMs: number): 'done' | 'failed' | null {
    const value = this.earlier.get(relPath, size, mtimeMs);
    return value === DONE ? 'done' : value === FAILED ? 'failed' : null;
  }

  /** Files recorded as failed (for the exit status of a re-run that has nothing left to do). */
  failedCount(): number {
    return this.failedBefore + this.failedHere;
  }

  markDone(relPath: string, size: number, mtimeMs: number, predictionId: string): void {
    this.append(['d', relPath, size, mtimeMs, predictionId]);
  }

  markFailed(relPath: string, size: number, mtimeMs: number, code: string): void {
    this.failedHere++;
    this.append(['f', relPath, size, mtimeMs, code]);
  }

  markSealed(): void {
    this.sealedValue = true;
    this.append(['sealed']);
  }

  /**
   * Appends what was marked since the last call (a new journal is first created whole, header
   * included, by rename, so it never exists half-written); writes never overlap, and each is
   * flushed to disk before the next.
   */
  save(): Promise<void> {
    if (!this.fresh && this.pending.length === 0) return this.writing;
    const lines = this.pending;
    this.pending = [];
    const fresh = this.fresh;
    this.fresh = false;
    this.writing = this.writing.then(async () => {
      const started = Date.now();
      if (fresh) {
        const temp = `${this.path}.${process.pid}.tmp`;
        await writeFile(temp, [JSON.stringify(this.header), ...lines].join('\n') + '\n');
        await rename(temp, this.path);
      } else {
        const file = await open(this.path, 'a');
        try {
          await file.write(lines.join('\n') + '\n');
          await file.datasync();
        } finally {
          await file.close();
        }
      }
      this.lastWriteMs = Date.now() - started;
    });
    return this.writing;
  }

  /**
   * Saves every `everyMs`, or less often when a write takes long (a slow disk): never more than
   * 5% of the time goes to writing it.
   */
  autosave(everyMs = 2000): () => Promise<void> {
    let next = Date.now() + everyMs;
    const timer = setInterval(() => {
      if (Date.now() < next) return;
      next = Date.now() + Math.max(everyMs, this.lastWriteMs * 20);
      void this.save().catch(() => undefined);
    }, 250);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.save();
    };
  }

  private append(line: JournalLine): void {
    this.pending.push(JSON.stringify(line));
  }
}

function isLegacy(value: unknown): value is LegacyStateFile {
  const v = value as LegacyStateFile | null;
  return v?.version === 1 && typeof v.batch_id === 'string' && typeof v.files === 'object';
}

/** The first line (up to 1 MiB: a header is small; a legacy state file is one line, read whole). */
async function readFirstLine(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end);
    if (bytesRead < buffer.length) return text;
  } finally {
    await file.close();
  }
  return (await readFile(path, 'utf8')).split('\n', 1)[0]; // a legacy file over 1 MiB
}

/**
 * Streams the journal's lines after the header to `each` (memory: one chunk, not the file).
 * Returns the length of its newline-terminated part: a last line without its newline is a torn
 * append and is skipped; a line that does not parse (an older torn write) is skipped too.
 */
async function replay(path: string, each: (line: JournalLine) => void): Promise<number> {
  let offset = 0;
  let complete = 0;
  let rest = Buffer.alloc(0);
  let header = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    let data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      const line = data.toString('utf8', start, nl);
      start = nl + 1;
      complete = offset + start;
      if (header) header = false;
      else parseLine(line, each);
    }
    offset += start;
    data = data.subarray(start);
    rest = Buffer.from(data);
  }
  return complete;
}

function parseLine(text: string, each: (line: JournalLine) => void): void {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return;
  }
  if (!Array.isArray(line)) return;
  if (line[0] === 'sealed') each(['sealed']);
  else if (
    (line[0] === 'd' || line[0] === 'f') &&
    typeof line[1] === 'string' &&
    typeof line[2] === 'number' &&
    typeof line[3] === 'number'
  )
    each(line as JournalLine);
}
