import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { ApiClient } from '../api-client/api-client';
import { asCliError } from '../api-client/api-errors';
import { apiOptionHelp, apiSettings } from '../api-client/api-settings';
import { quickRetry } from '../api-client/http-retry';
import { CliError, ExitCode } from '../cli-errors';
import { unclassified } from '../submit/batch-wait';

/** The export formats the API serves (GET /v1/batches/{id}/results?format=). */
export const RESULTS_FORMATS = ['csv', 'ndjson', 'fhir-ndjson'] as const;
export type ResultsFormat = (typeof RESULTS_FORMATS)[number];

interface ResultsOptions {
  api?: string;
  key?: string;
  format?: ResultsFormat;
  output?: string;
}

/**
 * --format, else the extension of -o (.csv; .ndjson/.jsonl/.json), else NDJSON. FHIR NDJSON is
 * only ever asked for by name: its files end in .ndjson too, like the plain export's.
 */
export function resultsFormat(format: ResultsOptions['format'], output: string | undefined): ResultsFormat {
  if (format) return format;
  const ext = output ? extname(output).toLowerCase() : '';
  if (ext === '.csv') return 'csv';
  if (!ext || ['.ndjson', '.jsonl', '.json'].includes(ext)) return 'ndjson';
  throw new CliError(
    `Cannot tell the format from "${output}"; pass --format csv, --format ndjson or --format fhir-ndjson.`,
  );
}

/**
 * `dermafleet results <batch-id> [--format csv|ndjson|fhir-ndjson] [-o FILE]`: streams the export to stdout
 * or to FILE (written beside it and renamed when complete, so FILE is never half a file).
 * Exit 0 when no prediction failed, 1 otherwise.
 */
export function resultsCommand(): Command {
  return new Command('results')
    .description(
      "export a batch's predictions (CSV, NDJSON, or FHIR R4 Observations as NDJSON), in creation order",
    )
    .argument('<batch-id>', 'the batch id (bat_...)')
    .option('--api <url>', apiOptionHelp.api)
    .option('--key <key>', apiOptionHelp.key)
    .addOption(
      new Option(
        '--format <format>',
        'csv, ndjson or fhir-ndjson (one FHIR Observation a line, succeeded predictions only; default: from -o, else ndjson)',
      ).choices(RESULTS_FORMATS),
    )
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (batchId: string, opts: ResultsOptions) => {
      const format = resultsFormat(opts.format, opts.output);
      const api = new ApiClient(apiSettings(opts), quickRetry);
      let res: Response;
      try {
        res = await api.results(batchId, format);
      } catch (err) {
        throw asCliError(err, 'batch');
      }
      const status = res.headers.get('x-batch-status');
      if (status && status !== 'completed') {
        process.stderr.write(`The batch is ${status}: these are the results so far.\n`);
      }
      await save(
        Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>),
        opts.output,
      );
      const batch = await api.getBatch(batchId).catch((err: unknown) => {
        throw asCliError(err, 'batch');
      });
      if (batch.counts.failed > 0)
        process.stderr.write(`${batch.counts.failed} of ${batch.counts.total} predictions failed.\n`);
      if (batch.counts.canceled)
        process.stderr.write(
          `${batch.counts.canceled} of ${batch.counts.total} predictions were canceled.\n`,
        );
      process.exitCode = unclassified(batch) > 0 ? ExitCode.SomeFailed : ExitCode.Ok;
    });
}

async function save(body: Readable, output: string | undefined): Promise<void> {
  if (!output) {
    await pipeline(body, process.stdout as Writable, { end: false });
    return;
  }
  const target = resolve(output);
  const temp = `${target}.${process.pid}.part`;
  try {
    await pipeline(body, createWriteStream(temp));
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw new CliError(`The export broke off (${(err as Error).message}); run the command again.`);
  }
  process.stderr.write(`Wrote ${target}\n`);
}
