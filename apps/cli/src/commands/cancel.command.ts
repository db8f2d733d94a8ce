import { Command } from 'commander';
import { ApiClient } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { apiOptionHelp, apiSettings } from '../api-client/api-settings';
import { quickRetry } from '../api-client/http-retry';
import { batchLine } from '../submit/batch-wait';

/** `dermafleet cancel <batch-id>`: queued predictions end canceled, running ones finish. */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description('stop a batch: queued predictions end canceled, running ones finish (idempotent)')
    .argument('<batch-id>', 'the batch id (bat_...)')
    .option('--api <url>', apiOptionHelp.api)
    .option('--key <key>', apiOptionHelp.key)
    .action(async (batchId: string, opts: { api?: string; key?: string }) => {
      const api = new ApiClient(apiSettings(opts), quickRetry);
      try {
        process.stdout.write(`${batchLine(await api.cancelBatch(batchId))}\n`);
      } catch (err) {
        throw asCliError(err, 'batch');
      }
    });
}
