import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { availableProviders } from '@dermafleet/inference';
import { WORKER_NODE_FLAGS } from '../libs/inference/src/threads/worker-node-flags';
import { appEnv, uniquePrefix } from './harness/test-env';

const repoRoot = join(__dirname, '..');

/** Runs the worker's real entry point (from source, with its deployed Node flags) as its own process until it exits. */
function runWorkerProcess(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...WORKER_NODE_FLAGS,
      '--require',
      require.resolve('tsx/cjs'),
      join(repoRoot, 'apps/worker/src/main.ts'),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr, ms: Date.now() - started })),
  );
}

/** A GPU pod started on a CPU-only onnxruntime-node install must stop at once and say why. */
describe('worker start-up with a missing execution provider', () => {
  const cudaHere = availableProviders().includes('cuda');

  (cudaHere ? it.skip : it)('exits 1 with one sentence naming ONNXRUNTIME_NODE_INSTALL=cuda12', async () => {
    const { code, stderr, ms } = await runWorkerProcess(
      appEnv(uniquePrefix('ep'), { ORT_EXECUTION_PROVIDERS: 'cuda,cpu' }),
    );
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(
      /^ORT_EXECUTION_PROVIDERS asks for cuda, but this onnxruntime-node build only has cpu\b.*\. Install onnxruntime-node with its CUDA binaries \(ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci, as the GPU image does\)\.$/,
    );
    expect(ms).toBeLessThan(30_000);
  });
});
