import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { InvalidModelError } from '../errors';
import { PreprocessorSpec, toPreprocessorSpec } from './preprocessor-spec';

/** A model directory in the Hugging Face layout (CONTRACT.md "Model directory"), loaded. */
export interface ModelDirectory {
  dir: string;
  onnxPath: string;
  /** config.json `_name_or_path`, else the MODEL_ID given, else the directory's name. */
  id: string;
  /** `sha256:<hex of model.onnx>`: every result names it, so demo results never pass for clinical. */
  version: string;
  /** Class labels in the model's own index order (config.json id2label). */
  labels: string[];
  preprocessor: PreprocessorSpec;
  /** True for a model written by `dermafleet make-model` (random weights). */
  demo: boolean;
}

const configSchema = z.object({
  _name_or_path: z.string().optional(),
  id2label: z.record(z.string(), z.string()),
  dermafleet_demo: z.boolean().optional(),
});

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidModelError(`The model directory has no readable ${what} (looked for ${path}).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidModelError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** id2label as an array; its keys must be exactly 0..n-1 (as Hugging Face writes them). */
export function labelsFromId2Label(id2label: Record<string, string>): string[] {
  const n = Object.keys(id2label).length;
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const label = id2label[String(i)];
    if (label === undefined) {
      throw new InvalidModelError(`config.json id2label must have keys "0".."${n - 1}"; "${i}" is missing.`);
    }
    labels.push(label);
  }
  if (n === 0) throw new InvalidModelError('config.json id2label is empty: the model has no classes.');
  return labels;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function loadModelDirectory(
  dir: string,
  options: { modelId?: string } = {},
): Promise<ModelDirectory> {
  const root = resolve(dir);
  const onnxPath = join(root, 'model.onnx');
  try {
    await access(onnxPath);
  } catch {
    throw new InvalidModelError(`The model directory ${root} has no model.onnx.`);
  }
  const parsedConfig = configSchema.safeParse(await readJson(join(root, 'config.json'), 'config.json'));
  if (!parsedConfig.success) {
    throw new InvalidModelError(`${join(root, 'config.json')} needs an id2label object of class names.`);
  }
  const rawPreprocessor = await readJson(join(root, 'preprocessor_config.json'), 'preprocessor_config.json');
  let preprocessor: PreprocessorSpec;
  try {
    preprocessor = toPreprocessorSpec(rawPreprocessor);
  } catch (err) {
    throw new InvalidModelError(
      `preprocessor_config.json in ${root} is not usable: ${(err as Error).message}`,
    );
  }
  const config = parsedConfig.data;
  return {
    dir: root,
    onnxPath,
    id: config._name_or_path || options.modelId || basename(root),
    version: `sha256:${await sha256File(onnxPath)}`,
    labels: labelsFromId2Label(config.id2label),
    preprocessor,
    demo: config.dermafleet_demo === true,
  };
}
