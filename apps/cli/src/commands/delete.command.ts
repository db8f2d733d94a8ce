import { Command } from 'commander';
import { ApiClient, ApiRequestError } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { apiOptionHelp, apiSettings } from '../api-client/api-settings';
import { quickRetry, sleep } from '../api-client/http-retry';
import { CliError, ExitCode } from '../cli-errors';

/** How long `delete` waits for running predictions to finish before it gives up. */
const RUNNING_WAIT_MS = 5 * 60_000;

/**
 * Reads the ids given as `-` from standard input: the first field of each line (so a results CSV
 * export can be piped in as it is: its header line is skipped), `#` starts a comment.
 */
async function idsFromStdin(): Promise<string[]> {
  let text = '';
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/[\s,]/)[0])
    .filter((field, i) => field && !(i === 0 && field === 'prediction_id'));
}

/**
 * Erases one batch or prediction. The API refuses while a prediction is running (409
 * prediction_processing): a batch is canceled first (nothing new starts, queued ones are erased
 * with it), so a running one finishes within seconds, and the API is asked again until it accepts.
 */
async function eraseOne(api: ApiClient, id: string): Promise<void> {
  const batch = id.startsWith('bat_');
  if (batch) await cancelIfLive(api, id);
  const deadline = Date.now() + RUNNING_WAIT_MS;
  for (;;) {
    try {
      return await (batch ? api.deleteBatch(id) : api.deletePrediction(id));
    } catch (err) {
      if (!(err instanceof ApiRequestError) || err.code !== 'prediction_processing') throw err;
      if (Date.now() > deadline) throw new CliError(`${id} is still being processed; try again later.`);
      process.stderr.write(`${err.message} Waiting…\n`);
      await sleep(2000);
    }
  }
}

/**
 * A batch past the retention is no longer known to cancel (404), but DELETE still erases it from
 * its S3 manifest: go on to the DELETE, which answers 404 itself for a batch that does not exist.
 */
async function cancelIfLive(api: ApiClient, id: string): Promise<void> {
  try {
    await api.cancelBatch(id);
  } catch (err) {
    if (!(err instanceof ApiRequestError) || err.status !== 404) throw err;
  }
}

/**
 * `dermafleet delete <id...>`: erase batches (bat_...) and predictions (prd_..., also past the
 * retention, when the batch itself is no longer known). `-` reads more ids from standard input.
 * Every id is tried; the exit status is 1 if some were not erased (2 for one id, as before).
 */
export function deleteCommand(): Command {
  return new Command('delete')
    .description(
      'erase batches or predictions: their images (unless something else uses them), thumbnails, results and records',
    )
    .argument(
      '<ids...>',
      'batch ids (bat_...) and prediction ids (prd_...); - reads ids from standard input, one per line (a results CSV as it is)',
    )
    .option('--api <url>', apiOptionHelp.api)
    .option('--key <key>', apiOptionHelp.key)
    .action(async (given: string[], opts: { api?: string; key?: string }) => {
      const ids = given.includes('-')
        ? [...given.filter((id) => id !== '-'), ...(await idsFromStdin())]
        : given;
      const wrong = ids.filter((id) => !/^(bat|prd)_[A-Za-z0-9_-]+$/.test(id));
      if (wrong.length) throw new CliError(`Not a batch or prediction id: ${wrong.slice(0, 3).join(', ')}.`);
      const api = new ApiClient(apiSettings(opts), quickRetry);
      let failed = 0;
      for (const id of ids) {
        try {
          await eraseOne(api, id);
          process.stdout.write(`${id} erased\n`);
        } catch (err) {
          const error = asCliError(err, id.startsWith('bat_') ? 'batch' : 'prediction');
          // A refused key or an unreachable API would fail every id alike: stop at the first.
          const refusedKey = err instanceof ApiRequestError && err.status === 401;
          if (!(error instanceof CliError) || refusedKey || ids.length === 1) throw error;
          failed++;
          process.stderr.write(`${id}: ${error.message}\n`);
        }
      }
      if (failed) throw new CliError(`${failed} of ${ids.length} ids were not erased.`, ExitCode.SomeFailed);
    });
}
