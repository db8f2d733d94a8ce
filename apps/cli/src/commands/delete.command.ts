import { Command } from 'commander';
import { ApiClient, ApiRequestError } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { apiOptionHelp, apiSettings } from '../api-client/api-settings';
import { quickRetry, sleep } from '../api-client/http-retry';
import { CliError } from '../cli-errors';

/** How long `delete` waits for running predictions to finish before it gives up. */
const RUNNING_WAIT_MS = 5 * 60_000;

/**
 * `dermafleet delete <batch-id>`: erase the batch (images not used elsewhere, thumbnails, results,
 * records, jobs). The API refuses while a prediction of it is running (409 prediction_processing):
 * queued ones are erased with it, so a running one finishes within seconds; the command cancels
 * the batch first (nothing new starts) and asks again until the API accepts.
 */
export function deleteCommand(): Command {
  return new Command('delete')
    .description(
      'erase a batch: its images (unless another batch uses them), thumbnails, results and records',
    )
    .argument('<batch-id>', 'the batch id (bat_...)')
    .option('--api <url>', apiOptionHelp.api)
    .option('--key <key>', apiOptionHelp.key)
    .action(async (batchId: string, opts: { api?: string; key?: string }) => {
      const api = new ApiClient(apiSettings(opts), quickRetry);
      try {
        await api.cancelBatch(batchId);
        const deadline = Date.now() + RUNNING_WAIT_MS;
        for (;;) {
          try {
            await api.deleteBatch(batchId);
            break;
          } catch (err) {
            if (!(err instanceof ApiRequestError) || err.code !== 'prediction_processing') throw err;
            if (Date.now() > deadline)
              throw new CliError(`Predictions of ${batchId} are still running; try again later.`);
            process.stderr.write(`${err.message} Waiting…\n`);
            await sleep(2000);
          }
        }
        process.stdout.write(`${batchId} erased\n`);
      } catch (err) {
        throw asCliError(err, 'batch');
      }
    });
}
