import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findOrStartRedis, type LocalRedis } from '../../libs/jobs/src/local/local-redis';
import { startEmbeddedS3, type EmbeddedS3 } from '../../libs/storage/src/embedded-s3';
import { Redis } from 'ioredis';

export const repoRoot = resolve(__dirname, '..', '..');

/**
 * What the end-to-end parts share: Redis (REDIS_URL, else 127.0.0.1:6379, else a redis-server
 * started here), an embedded S3 server over a temp folder, and compiled apps: Nest's dependency
 * injection needs decorator metadata, which tsc emits and tsx (esbuild) does not, so the apps
 * run from dist/, rebuilt once per bench run so they match the sources.
 */
export interface BenchInfra {
  redisUrl: string;
  s3: EmbeddedS3;
  scratch: string;
  /** Removes every Redis key under a prefix (each bench run uses its own; never FLUSHALL). */
  clearPrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}

let built = false;

export function buildApps(): void {
  if (built || process.env.BENCH_SKIP_BUILD === '1') return;
  const started = Date.now();
  const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // tsc still emits JavaScript when it reports type errors (e.g. in a file being edited
    // elsewhere): say so, and go on with what it emitted.
    const out = String((err as { stdout?: Buffer }).stdout ?? '').trim();
    console.error(
      `[bench] tsc reported errors; using the JavaScript it emitted anyway:\n${out.split('\n').slice(0, 5).join('\n')}`,
    );
  }
  execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  built = true;
  console.error(`[bench] built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Where the embedded S3 server keeps its objects: a RAM-backed folder (/dev/shm) when the machine
 * has one. It stands in for S3, which in production is another machine's cost, yet shares these
 * cores: on a disk folder every PUT creates two files (object and metadata), and on this VM's ext4
 * that cost 4-8 ms of kernel CPU per PUT (inode allocation), more than the rest of the PUT, and
 * varying with how many files earlier runs deleted. BENCH_S3_DIR overrides.
 */
async function s3StandInDir(scratch: string): Promise<string> {
  const ram = '/dev/shm';
  const name = `${S3_DIR_PREFIX}${process.pid}-`;
  if (process.env.BENCH_S3_DIR) return mkdtemp(join(process.env.BENCH_S3_DIR, name));
  try {
    accessSync(ram, constants.W_OK);
    await removeOrphanedS3Dirs(ram);
    return await mkdtemp(join(ram, name));
  } catch {
    return join(scratch, 's3');
  }
}

const S3_DIR_PREFIX = 'dermafleet-bench-s3-';

/**
 * A bench killed before its close() leaves its S3 folder behind, and in /dev/shm that holds RAM
 * until the machine restarts: each start removes those of bench processes that no longer run
 * (the folder's name carries its creator's pid).
 */
async function removeOrphanedS3Dirs(parent: string): Promise<void> {
  for (const entry of await readdir(parent)) {
    const pid = Number(new RegExp(`^${S3_DIR_PREFIX}(\\d+)-`).exec(entry)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    await rm(join(parent, entry), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startInfra(): Promise<BenchInfra> {
  buildApps();
  const scratch = await mkdtemp(join(tmpdir(), 'dermafleet-bench-'));
  const redis: LocalRedis = await findOrStartRedis(process.env.REDIS_URL);
  const s3Dir = await s3StandInDir(scratch);
  // In RAM, its file operations are made synchronous (microseconds each), sparing these cores
  // two thread wake-ups per operation, 12-16 operations per request (SyncFilesystemStore).
  const s3 = await startEmbeddedS3(s3Dir, 0, '127.0.0.1', {
    syncFileOperations: s3Dir.startsWith('/dev/shm/'),
  });
  const client = new Redis(redis.url);
  return {
    redisUrl: redis.url,
    s3,
    scratch,
    async clearPrefix(prefix: string): Promise<void> {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
    async close(): Promise<void> {
      client.disconnect();
      await s3.close();
      await redis.stop();
      await rm(scratch, { recursive: true, force: true });
      await rm(s3Dir, { recursive: true, force: true });
    },
  };
}

/**
 * The environment of an API or worker a benchmark starts: the bench's Redis and S3, its own key
 * prefix and bucket (named after the prefix), a model directory, plus any per-bench settings.
 */
export function benchAppEnv(
  infra: BenchInfra,
  prefix: string,
  modelDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: infra.redisUrl,
    KEY_PREFIX: prefix,
    S3_ENDPOINT: infra.s3.endpoint,
    S3_ACCESS_KEY_ID: infra.s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: infra.s3.credentials.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    S3_BUCKET: prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 60),
    MODEL_DIR: modelDir,
    // The tenant's request rate (100/s by default) is protection, not what a benchmark measures:
    // small images are uploaded faster than that and were refused with 429 (the rss and drain
    // benches failed part-way).
    RATE_LIMIT_PER_SECOND: '1000000',
    ...extra,
  };
}
