import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { ImageClassifier, InferenceError } from '@dermafleet/inference';
import { ExitCode } from '../cli-errors';
import { resolveModel } from '../local/model-option';
import { TaskPool } from '../submit/task-pool';
import { FileOutcome, jsonLine, tableLines } from './classify.output';

interface ClassifyOptions {
  model?: string;
  json?: boolean;
  fast?: boolean;
  autoOrient?: boolean;
  batchSize: number;
}

async function classifyOne(classifier: ImageClassifier, filename: string): Promise<FileOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filename);
  } catch (err) {
    return { filename, error: { code: 'unreadable_file', message: (err as Error).message } };
  }
  try {
    return { filename, result: await classifier.classify(bytes) };
  } catch (err) {
    const code = err instanceof InferenceError ? err.code : 'inference_failed';
    return { filename, error: { code, message: (err as Error).message } };
  }
}

/**
 * `dermafleet classify`: local files, in-process, through exactly the worker's path
 * (ImageClassifier: preprocessing threads, micro-batcher, session thread). No Redis, no S3.
 */
export function classifyCommand(): Command {
  return new Command('classify')
    .description('classify local image files in-process (no Redis or S3), like the model card snippet')
    .option('--model <dir>', 'model directory (default: the tiny demo model)')
    .option('--json', 'one JSON result per line')
    .option('--fast', 'fast preprocessing (libvips shrink-on-load) instead of the exact reference')
    .option('--auto-orient', 'apply EXIF orientation (the reference does not)')
    .option(
      '--batch-size <n>',
      'micro-batch size',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 256)
          throw new InvalidArgumentError('a whole number from 1 to 256');
        return n;
      },
      8,
    )
    .argument('<image...>', 'image files')
    .action(async (files: string[], opts: ClassifyOptions) => {
      const model = await resolveModel(opts.model);
      const classifier = await ImageClassifier.open(model, {
        session: { executionProviders: ['cpu'], deviceId: 0, intraOpThreads: 0 },
        preprocessing: { mode: opts.fast ? 'fast' : 'exact', autoOrient: Boolean(opts.autoOrient) },
        batch: { maxSize: opts.batchSize, maxDelayMs: 5, maxQueuedBatches: 2 },
        preprocessThreads: 0,
      });
      const outcomes = new Array<FileOutcome>(files.length);
      // Two micro-batches of files read at a time: enough to keep the session busy while the next
      // batch decodes, and a folder of 100,000 images never sits in memory at once.
      const pool = new TaskPool(opts.batchSize * 2);
      try {
        for (const [i, f] of files.entries())
          await pool.run(async () => {
            outcomes[i] = await classifyOne(classifier, f);
          });
        await pool.drain();
      } finally {
        await classifier.close();
      }
      for (const o of outcomes) if ('error' in o) process.stderr.write(`${o.filename}: ${o.error.message}\n`);
      const lines = opts.json ? outcomes.map(jsonLine) : tableLines(outcomes);
      process.stdout.write(`${lines.join('\n')}\n`);
      if (model.demo)
        process.stderr.write('Note: DEMO model (random weights): these labels mean nothing clinically.\n');
      process.exitCode = outcomes.some((o) => 'error' in o) ? ExitCode.SomeFailed : ExitCode.Ok;
    });
}
