import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DemoModelPreset } from '@dermafleet/inference/demo-model';

/** Where `npm start` and `dermafleet classify` keep the demo model: `.dermafleet/models/demo-<preset>`. */
export function demoModelDir(preset: DemoModelPreset, root = process.cwd()): string {
  return resolve(root, '.dermafleet', 'models', `demo-${preset}`);
}

/** The demo model directory, written once (atomically) on first use. */
export async function ensureDemoModel(
  preset: DemoModelPreset,
  root = process.cwd(),
): Promise<{ dir: string; written: boolean }> {
  const dir = demoModelDir(preset, root);
  if (existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'config.json')))
    return { dir, written: false };
  // The writer (and protobufjs) loaded only to write the model, once per machine (require: see
  // main.ts on import() under tsx).
  type Writer = typeof import('@dermafleet/inference/demo-model');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeDemoModel } = require('@dermafleet/inference/demo-model') as Writer;
  await writeDemoModel(dir, { preset });
  return { dir, written: true };
}
