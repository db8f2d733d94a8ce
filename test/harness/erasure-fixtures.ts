import { RedisKeys } from '@dermafleet/jobs';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import sharp from 'sharp';
import { type Api, startBatchStack } from './batch-api';
import { testBucket } from './test-bucket';
import { WebhookReceiver } from './webhook-receiver';
import { fixturesDir, infra } from './test-env';

/** A distinct image per seed: a crop of a fixture photograph at a seed-dependent offset. */
export async function photo(seed: number): Promise<Buffer> {
  return sharp(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'))
    .extract({ left: 40 + seed * 13, top: 30 + seed * 7, width: 96, height: 96 })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** One entry of GET /v1/audit. */
export interface AuditEntry {
  id: string;
  action: string;
  at: string;
  actor: { api_key_id: string };
  subject_digest: string;
  counts: { predictions: number; images_released: number };
}

/** The forms an image's sha256 takes in our keys and records: hex, and base64url (compact records, dedupe keys). */
export const shaForms = (sha: string): string[] => [sha, Buffer.from(sha, 'hex').toString('base64url')];

/**
 * The erasure tests' stack, started before the file's tests and closed after them: the API and a
 * worker with two tenants (`a`, `b`: filled in once started), the prefix's bucket, Redis and keys.
 */
export function erasureStack(prefix: string, env: Record<string, string>) {
  const bucket = testBucket(prefix);
  const redis = new Redis(infra().redisUrl);
  const keys = new RedisKeys(prefix);
  const a: Api = { url: '', headers: {} };
  const b: Api = { url: '', headers: {} };
  let stack: Awaited<ReturnType<typeof startBatchStack>> | undefined;
  beforeAll(async () => {
    stack = await startBatchStack(prefix, env);
    Object.assign(a, stack.a);
    Object.assign(b, stack.b);
  });
  afterAll(async () => {
    await stack?.close();
    redis.disconnect();
    bucket.destroy();
  });
  return { bucket, redis, keys, a, b };
}

/**
 * Runs `body` with a webhook receiver (WebhookReceiver: real HTTP on 127.0.0.1, every delivery
 * answered 204), stopped afterwards; `body` gets its URL.
 */
export async function withWebhookReceiver<T>(body: (url: string) => Promise<T>): Promise<T> {
  const receiver = await new WebhookReceiver([]).start();
  try {
    return await body(`${receiver.url}/hook`);
  } finally {
    await receiver.stop();
  }
}
