import { Command, InvalidArgumentError } from 'commander';
import { apiOptionHelp } from '../api-client/api-settings';
import { runSubmit, type SubmitOptions } from '../submit/submit.runner';

const positiveInt = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new InvalidArgumentError(`a whole number from 1 to ${max}`);
  return n;
};

/** `dermafleet submit <dir or files...>` (CONTRACT.md "CLI"). */
export function submitCommand(): Command {
  return new Command('submit')
    .description(
      'upload a folder tree (an archive) or files into one batch: resumable, with progress; seals the batch',
    )
    .argument('<dir or files...>', 'folders to walk (paths relative to them are kept) or image files')
    .option('--api <url>', apiOptionHelp.api)
    .option('--key <key>', apiOptionHelp.key)
    .option('--webhook <url>', 'webhook URL for batch.completed')
    .option('--batch <id>', 'add to this open batch instead of creating one')
    .option('--concurrency <n>', 'files hashed and uploaded at once', positiveInt(256), 8)
    .option(
      '--manifest <csv>',
      'CSV with a path (or filename) column; other columns become per-image metadata',
    )
    .option('--multipart', 'upload through the API instead of straight to S3')
    .option('--state <file>', 'resume state file', '.dermafleet-submit.json')
    .option('--wait', 'wait until every image has been classified')
    .action(async (inputs: string[], opts: Omit<SubmitOptions, 'inputs'>) => {
      process.exitCode = await runSubmit({ ...opts, inputs });
    });
}
