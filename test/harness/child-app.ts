import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_NODE_FLAGS } from '../../libs/inference/src/threads/worker-node-flags';

const repoRoot = join(__dirname, '..', '..');

export interface ChildApp {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a real app (`api` or `worker`) as its own process, from the build (`npm test` builds
 * first): Nest's dependency injection needs decorator metadata, which tsx/esbuild do not emit.
 */
export function startChildApp(app: 'api' | 'worker', env: Record<string, string>): ChildApp {
  const main = join(repoRoot, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" (npm test does it first).`);
  // The worker with the Node flags it is deployed with (WORKER_NODE_FLAGS).
  const flags = app === 'worker' ? WORKER_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, main], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

export async function waitForOutput(app: ChildApp, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(app.output())) {
    if (app.child.exitCode !== null) throw new Error(`The app exited early:\n${app.output()}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}:\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
