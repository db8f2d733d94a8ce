import { readFile, rename, writeFile } from 'node:fs/promises';
import { CliError } from '../cli-errors';

/** One file's outcome: [size, mtime ms, 'done' | 'failed', prediction id or error code]. */
type FileEntry = [number, number, 'done' | 'failed', string];

interface StateFile {
  version: 1;
  api: string;
  batch_id: string;
  inputs: string[];
  sealed: boolean;
  files: Record<string, FileEntry>;
}

/**
 * The local record of a submission (`--state`, default .dermafleet-submit.json): which batch,
 * and per relative path (with size and mtime, so a changed file is sent again) whether it is
 * done. Written atomically (temp file, then rename) and periodically, so a re-run after Ctrl-C, a
 * crash or a network error continues where it stopped. What the last write missed costs nothing
 * twice: the API answers a re-sent filename with its existing prediction, and `url: null` once
 * the bytes are stored.
 */
export class SubmitState {
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  private lastWriteMs = 0;

  private constructor(
    readonly path: string,
    private readonly data: StateFile,
  ) {}

  static async load(path: string): Promise<SubmitState | null> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CliError(`Cannot read the state file ${path}: ${(err as Error).message}`);
    }
    try {
      const data = JSON.parse(text) as StateFile;
      if (data.version !== 1 || typeof data.batch_id !== 'string' || typeof data.files !== 'object')
        throw new Error('unknown layout');
      return new SubmitState(path, data);
    } catch (err) {
      throw new CliError(
        `The state file ${path} is not one dermafleet wrote (${(err as Error).message}); pass another --state or delete it.`,
      );
    }
  }

  static create(path: string, api: string, batchId: string, inputs: string[]): SubmitState {
    const state = new SubmitState(path, {
      version: 1,
      api,
      batch_id: batchId,
      inputs,
      sealed: false,
      files: {},
    });
    state.dirty = true;
    return state;
  }

  get batchId(): string {
    return this.data.batch_id;
  }
  get api(): string {
    return this.data.api;
  }
  get inputs(): string[] {
    return this.data.inputs;
  }
  get sealed(): boolean {
    return this.data.sealed;
  }

  /** The file's recorded outcome when it is unchanged since (same size and mtime). */
  outcomeOf(relPath: string, size: number, mtimeMs: number): 'done' | 'failed' | null {
    const entry = this.data.files[relPath];
    return entry && entry[0] === size && entry[1] === mtimeMs ? entry[2] : null;
  }

  /** Files recorded as failed (for the exit status of a re-run that has nothing left to do). */
  failedCount(): number {
    let n = 0;
    for (const entry of Object.values(this.data.files)) if (entry[2] === 'failed') n++;
    return n;
  }

  markDone(relPath: string, size: number, mtimeMs: number, predictionId: string): void {
    this.data.files[relPath] = [size, mtimeMs, 'done', predictionId];
    this.dirty = true;
  }

  markFailed(relPath: string, size: number, mtimeMs: number, code: string): void {
    this.data.files[relPath] = [size, mtimeMs, 'failed', code];
    this.dirty = true;
  }

  markSealed(): void {
    this.data.sealed = true;
    this.dirty = true;
  }

  /** Writes when something changed; writes never overlap and each replaces the file whole. */
  save(): Promise<void> {
    if (!this.dirty) return this.writing;
    this.dirty = false;
    this.writing = this.writing.then(async () => {
      const started = Date.now();
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(this.data));
      await rename(temp, this.path);
      this.lastWriteMs = Date.now() - started;
    });
    return this.writing;
  }

  /**
   * Saves every `everyMs`, or less often when a write takes long (a huge archive's state):
   * never more than 5% of the time goes to writing it.
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
}
