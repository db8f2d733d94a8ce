import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process we can stop and start again on the same port and data directory. */
export class Restartable {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly start_: () => ChildProcess,
  ) {}

  async start(): Promise<void> {
    this.child = this.start_();
    await waitForPort(this.port);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/**
 * Our own redis-server with AOF (appendfsync everysec, as in compose and k8s) on a spare port:
 * the shared Redis on 6379 is never stopped or flushed.
 */
export async function ownRedis(dir: string): Promise<Restartable & { url: string }> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const redis = new Restartable(port, () =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes'],
      { stdio: 'ignore' },
    ).on('error', () => undefined),
  );
  await redis.start();
  return Object.assign(redis, { url: `redis://127.0.0.1:${port}` });
}

/** s3rver in a process of its own over `dir`, so it can be stopped and restarted on the same data. */
export async function ownS3(dir: string): Promise<Restartable & { endpoint: string }> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const script = `const S3rver = require('s3rver');
new S3rver({ port: ${port}, address: '127.0.0.1', directory: ${JSON.stringify(dir)}, silent: true }).run();`;
  const s3 = new Restartable(port, () =>
    spawn(process.execPath, ['-e', script], { cwd: repoRoot, stdio: 'ignore' }),
  );
  await s3.start();
  return Object.assign(s3, { endpoint: `http://127.0.0.1:${port}` });
}
