import { ApiClient, ApiRequestError } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { apiSettings } from '../api-client/api-settings';
import { CliError, ExitCode } from '../cli-errors';
import { batchLine, unclassified, waitForCompletion } from './batch-wait';
import { DirectUploader } from './direct-uploader';
import { countFiles, walkFiles, type WalkRoot, walkRoots } from './file-walker';
import { sniffFile } from './file-sniff';
import { Manifest } from './manifest';
import { MultipartUploader } from './multipart-uploader';
import { chooseBatch } from './submit-batch';
import { type Candidate, SubmitContext, type Uploader } from './submit-context';
import { SubmitProgress, SubmitTally } from './submit-progress';
import type { SubmitState } from './submit-state';
import { TaskPool } from './task-pool';

export interface SubmitOptions {
  inputs: string[];
  api?: string;
  key?: string;
  webhook?: string;
  batch?: string;
  concurrency: number;
  manifest?: string;
  multipart?: boolean;
  state: string;
  wait?: boolean;
}

const say = (line: string): boolean => process.stderr.write(`${line}\n`);

/** How skipped files are counted in the summary, by reason. */
const SKIP_LABELS = {
  hidden: 'hidden',
  system: 'system files',
  not_a_file: 'not regular files',
  outside_root: 'links outside the folder',
  not_image: 'not images',
  empty: 'empty',
} as const;

/**
 * `dermafleet submit`: walks the inputs, uploads every image into one batch, seals it, and
 * prints the batch id as the last stdout line. Resumable: see SubmitState. Returns the exit
 * status (0 all succeeded, 1 some files failed); connection, usage and configuration errors
 * throw CliError (exit 2) after the state is saved.
 */
export async function runSubmit(options: SubmitOptions): Promise<number> {
  const api = new ApiClient(apiSettings(options));
  const roots = await walkRoots(options.inputs);
  const manifest = options.manifest ? await Manifest.load(options.manifest) : null;
  const { state, resumed } = await chooseBatch(api, {
    statePath: options.state,
    inputs: roots.map((r) => r.path),
    batchId: options.batch,
    webhook: options.webhook,
  });
  say(`${resumed ? 'Continuing' : 'Submitting to'} batch ${state.batchId} (state in ${state.path}).`);
  const tally = new SubmitTally();
  if (state.sealed) {
    tally.failed = state.failedCount();
    say(
      `This submission was sealed by an earlier run (${tally.failed} files failed then); nothing more to upload.`,
    );
  } else {
    await upload(api, roots, state, tally, options, manifest);
    try {
      await api.seal(state.batchId);
    } catch (err) {
      throw asCliError(err, 'batch');
    }
    state.markSealed();
    await state.save();
    say(`Sealed. ${tally.summary()}`);
    if (manifest?.unmatched) say(`${manifest.unmatched} manifest rows named no submitted file.`);
  }
  let failed = tally.failed;
  if (options.wait) {
    const batch = await waitForCompletion(api, state.batchId, (b) => say(batchLine(b))).catch(
      (err: unknown) => {
        throw asCliError(err, 'batch');
      },
    );
    failed += unclassified(batch);
  }
  say(`Results: dermafleet results ${state.batchId} -o results.csv`);
  process.stdout.write(`${state.batchId}\n`);
  return failed > 0 ? ExitCode.SomeFailed : ExitCode.Ok;
}

async function upload(
  api: ApiClient,
  roots: WalkRoot[],
  state: SubmitState,
  tally: SubmitTally,
  options: SubmitOptions,
  manifest: Manifest | null,
): Promise<void> {
  const progress = new SubmitProgress(tally);
  const ctx = new SubmitContext(
    api,
    state.batchId,
    state,
    tally,
    progress,
    new TaskPool(options.concurrency),
  );
  const uploader: Uploader = options.multipart ? new MultipartUploader(ctx) : new DirectUploader(ctx);
  const stopAutosave = state.autosave();
  const counting = { stopped: false };
  void countFiles(roots, counting).then(
    (n) => (tally.total = n),
    () => undefined,
  );
  const interrupted = (signal: NodeJS.Signals) => {
    progress.stop();
    say(
      `Interrupted (${signal}); progress is saved in ${state.path}: run the same command again to continue.`,
    );
    void stopAutosave().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  progress.start();
  try {
    for await (const entry of walkFiles(roots)) {
      if (uploader.fatal) break;
      if (entry.kind === 'skipped') {
        if (entry.reason === 'unreadable') {
          tally.failed++;
          progress.log(`dermafleet: ${entry.relPath}: cannot be read (skipped)`);
        }
        // Hidden and system entries are not in the count either; others are.
        else tally.skip(SKIP_LABELS[entry.reason], entry.reason !== 'hidden' && entry.reason !== 'system');
        continue;
      }
      const metadata = manifest?.metadataFor(entry.relPath);
      const earlier = state.outcomeOf(entry.relPath, entry.size, entry.mtimeMs);
      if (earlier) {
        tally.processed++;
        if (earlier === 'done') tally.alreadyDone++;
        else tally.failed++;
        continue;
      }
      const sniff = await sniffFile(entry.path);
      const file: Candidate = { ...entry, contentType: '', metadata };
      if (sniff.kind === 'unreadable') {
        ctx.failed(file, 'unreadable_file', `cannot be read: ${sniff.message}`);
        continue;
      }
      if (sniff.kind !== 'image') {
        tally.skip(
          sniff.kind === 'refused'
            ? `${sniff.format.toUpperCase()} (unsupported format)`
            : SKIP_LABELS[sniff.kind],
        );
        continue;
      }
      file.contentType = sniff.contentType;
      await uploader.add(file);
    }
    await uploader.finish();
  } catch (err) {
    if (err instanceof ApiRequestError) throw asCliError(err, 'batch');
    if (err instanceof CliError) throw err;
    throw new CliError((err as Error).message);
  } finally {
    counting.stopped = true;
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    progress.stop();
    await stopAutosave();
  }
}
