import { Command, Option } from 'commander';
import { ApiClient } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { apiOptionHelp, apiSettings } from '../api-client/api-settings';
import { quickRetry } from '../api-client/http-retry';

/** `dermafleet retry <batch-id> [--all]`: failed predictions run again, in place (same ids). */
export function retryCommand(): Command {
  return new Command('retry')
    .description(
      "run a batch's failed predictions again, in place: those that failed with inference_failed, or with --all every failure that has an image",
    )
    .argument('<batch-id>', 'the batch id (bat_...)')
    .option('--api <url>', apiOptionHelp.api)
    .option('--key <key>', apiOptionHelp.key)
    .addOption(new Option('--all', 'also invalid_image, image_too_large and worker_crashed'))
    .action(async (batchId: string, opts: { api?: string; key?: string; all?: boolean }) => {
      const api = new ApiClient(apiSettings(opts), quickRetry);
      try {
        const { retried } = await api.retryBatch(batchId, opts.all ? 'all' : 'transient');
        process.stdout.write(`${retried} prediction${retried === 1 ? '' : 's'} queued again in ${batchId}\n`);
      } catch (err) {
        throw asCliError(err, 'batch');
      }
    });
}
