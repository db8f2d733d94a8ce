import { createHash } from 'node:crypto';

/**
 * TEST ONLY (DERMAFLEET_TEST_CRASH_ON_SHA256, unset by default): kill this process the way a
 * native decoder crash or the OOM killer would (SIGKILL: no handler, no drain, no cleanup) when
 * it is about to decode the named image. The fault suite uses it as its poison image: nothing
 * portable makes libvips or onnxruntime crash on demand.
 */
export function crashIfPoison(bytes: Buffer, poisonSha256: string | undefined): void {
  if (!poisonSha256) return;
  if (createHash('sha256').update(bytes).digest('hex') !== poisonSha256) return;
  process.stderr.write(`TEST HOOK: image ${poisonSha256.slice(0, 12)}... kills this worker\n`);
  process.kill(process.pid, 'SIGKILL');
}
