import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeDemoModel, type DemoModelPreset } from '@dermafleet/inference/demo-model';

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
  await writeDemoModel(dir, { preset });
  return { dir, written: true };
}
