import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface LocalRedis {
  url: string;
  /** How it was found, for the one start-up log line. */
  how: 'configured' | 'found' | 'started';
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function waitUntilAnswers(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}.`);
    if (await redisAnswers(url, 300)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer at ${url} within ${timeoutMs} ms.`);
}

/**
 * Our records' compact hash values (records/record-codec.ts) are up to ~150 bytes; with Redis'
 * default limit of 64 a finished prediction takes ~1.4 KB, with 256 ~0.9 KB (compact hash
 * encoding). docker-compose.yml and k8s/overlays/dev/redis.yaml set the same.
 */
export const REDIS_TUNING = ['--hash-max-listpack-value', '256'];

/**
 * Redis for local runs and tests: the configured URL if it answers, else a `redis-server` from
 * PATH on a free port (no persistence; it lives as long as this process), else a clear error.
 */
export async function findOrStartRedis(
  configuredUrl: string | undefined,
  defaultUrl = 'redis://127.0.0.1:6379',
): Promise<LocalRedis> {
  const url = configuredUrl ?? defaultUrl;
  if (await redisAnswers(url)) {
    return { url, how: configuredUrl ? 'configured' : 'found', stop: async () => undefined };
  }
  if (configuredUrl) throw new Error(`Redis does not answer at REDIS_URL=${configuredUrl}.`);
  if (!hasRedisServer()) {
    throw new Error(
      `No Redis answers at ${defaultUrl} and no redis-server is on PATH. Start Redis (e.g. "redis-server --daemonize yes") or set REDIS_URL.`,
    );
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...REDIS_TUNING],
    {
      stdio: 'ignore',
    },
  );
  const startedUrl = `redis://127.0.0.1:${port}`;
  await waitUntilAnswers(startedUrl, child, 10_000);
  return {
    url: startedUrl,
    how: 'started',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
