import { InferenceError, loadModelDirectory, type ModelDirectory } from '@dermafleet/inference';
import { CliError } from '../cli-errors';
import { ensureDemoModel } from './demo-model.location';

/** `--model DIR`, or the tiny demo model (written on first use), said on stderr. */
export async function resolveModel(dir: string | undefined): Promise<ModelDirectory> {
  let modelDir = dir;
  if (!modelDir) {
    const demo = await ensureDemoModel('tiny');
    process.stderr.write(
      `No --model given: using the tiny DEMO model at ${demo.dir} (random weights; its results mean nothing clinically).\n`,
    );
    modelDir = demo.dir;
  }
  try {
    return await loadModelDirectory(modelDir);
  } catch (err) {
    if (err instanceof InferenceError) throw new CliError(err.message);
    throw err;
  }
}
