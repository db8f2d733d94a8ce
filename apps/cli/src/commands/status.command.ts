import { Command } from 'commander';
import { ApiClient } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { apiOptionHelp, apiSettings } from '../api-client/api-settings';
import { quickRetry } from '../api-client/http-retry';
import type { Batch } from '../api-client/api.types';
import { ExitCode } from '../cli-errors';
import { batchLine, unclassified, waitForCompletion } from '../submit/batch-wait';

interface StatusOptions {
  api?: string;
  key?: string;
  json?: boolean;
  watch?: boolean;
}

const show = (batch: Batch, json: boolean): boolean =>
  process.stdout.write(`${json ? JSON.stringify(batch) : batchLine(batch)}\n`);

/** `dermafleet status <batch-id> [--json] [--watch]`: exit 0 when nothing failed or was canceled (so far), 1 otherwise. */
export function statusCommand(): Command {
  return new Command('status')
    .description("a batch's progress: one line, or the batch object with --json")
    .argument('<batch-id>', 'the batch id (bat_...)')
    .option('--api <url>', apiOptionHelp.api)
    .option('--key <key>', apiOptionHelp.key)
    .option('--json', 'print the batch object (JSON)')
    .option('--watch', 'keep printing until the batch is completed')
    .action(async (batchId: string, opts: StatusOptions) => {
      const api = new ApiClient(apiSettings(opts), quickRetry);
      let batch: Batch;
      try {
        batch = opts.watch
          ? await waitForCompletion(api, batchId, (b) => show(b, Boolean(opts.json)))
          : await api.getBatch(batchId);
      } catch (err) {
        throw asCliError(err, 'batch');
      }
      if (!opts.watch) show(batch, Boolean(opts.json));
      process.exitCode = unclassified(batch) > 0 ? ExitCode.SomeFailed : ExitCode.Ok;
    });
}
