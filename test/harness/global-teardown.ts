import { rm } from 'node:fs/promises';
import { getHarness } from './harness-state';

export default async function globalTeardown(): Promise<void> {
  const harness = getHarness();
  if (!harness) return;
  await harness.stop();
  await rm(harness.scratch, { recursive: true, force: true });
}
