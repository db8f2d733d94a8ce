import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

/** The infrastructure globalSetup found or started. */
export function infra() {
  const get = (name: string): string => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is not set: run tests through jest (globalSetup).`);
    return value;
  };
  return {
    redisUrl: get('DF_TEST_REDIS_URL'),
    s3Endpoint: get('DF_TEST_S3_ENDPOINT'),
    s3AccessKeyId: get('DF_TEST_S3_ACCESS_KEY_ID'),
    s3SecretAccessKey: get('DF_TEST_S3_SECRET_ACCESS_KEY'),
    modelDir: get('DF_TEST_MODEL_DIR'),
    scratch: get('DF_TEST_SCRATCH'),
  };
}

/** A key prefix of its own per test file: isolation without FLUSHALL. */
export function uniquePrefix(label: string): string {
  return `dft-${label}-${randomBytes(4).toString('hex')}`;
}

/** `../shared/fixtures` beside the checkout (read-only). */
export const fixturesDir = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');

/** Environment for our apps, pointing at the test infrastructure. */
export function appEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  const i = infra();
  return {
    REDIS_URL: i.redisUrl,
    KEY_PREFIX: prefix,
    S3_ENDPOINT: i.s3Endpoint,
    S3_ACCESS_KEY_ID: i.s3AccessKeyId,
    S3_SECRET_ACCESS_KEY: i.s3SecretAccessKey,
    S3_BUCKET: `df-${prefix.toLowerCase().replace(/[^a-z0-9-]/g, '')}`.slice(0, 60),
    S3_FORCE_PATH_STYLE: 'true',
    MODEL_DIR: i.modelDir,
    PORT: '0',
    WORKER_PORT: '0',
    HOST: '127.0.0.1',
    PREPROCESS_THREADS: '1',
    // Tests poll fast from one tenant; the limits have their own test (backpressure.e2e-spec.ts).
    RATE_LIMIT_PER_SECOND: '100000',
    ...extra,
  };
}

export async function poll<T>(
  fn: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await fn();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  } while (Date.now() < deadline);
  throw new Error(
    `Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 500)}`,
  );
}
