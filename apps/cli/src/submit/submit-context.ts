import type { ApiClient } from '../api-client/api-client';
import type { SubmitState } from './submit-state';
import type { SubmitProgress, SubmitTally } from './submit-progress';
import type { TaskPool } from './task-pool';

/** A file the walk found, that is an image by its first bytes and not done in an earlier run. */
export interface Candidate {
  path: string;
  relPath: string;
  size: number;
  mtimeMs: number;
  contentType: string;
  metadata?: Record<string, string>;
}

/** One way of getting candidates into the batch (direct to S3, or multipart through the API). */
export interface Uploader {
  /** Takes one file; waits while the pool is full, so the walk never runs far ahead. */
  add(file: Candidate): Promise<void>;
  /** Sends what is gathered and waits for everything; throws the first fatal error. */
  finish(): Promise<void>;
  /** Set once a fatal error (connection, auth, sealed batch) means the walk should stop. */
  readonly fatal: unknown;
}

/** What uploaders share: the API, the batch, the state file, the tally and progress output. */
export class SubmitContext {
  constructor(
    readonly api: ApiClient,
    readonly batchId: string,
    readonly state: SubmitState,
    readonly tally: SubmitTally,
    readonly progress: SubmitProgress,
    readonly pool: TaskPool,
  ) {}

  /** The file is in the batch. `sentBytes`: what this run uploaded for it (0 when already stored). */
  done(file: Candidate, predictionId: string, sentBytes: number): void {
    this.state.markDone(file.relPath, file.size, file.mtimeMs, predictionId);
    this.tally.uploaded++;
    this.tally.processed++;
    this.tally.bytes += sentBytes;
  }

  /** The file was refused for good: reported on stderr, counted, and remembered (not retried unchanged). */
  failed(file: Candidate, code: string, message: string): void {
    this.state.markFailed(file.relPath, file.size, file.mtimeMs, code);
    this.tally.failed++;
    this.tally.processed++;
    this.progress.log(`dermafleet: ${file.relPath}: ${message} (${code})`);
  }
}
