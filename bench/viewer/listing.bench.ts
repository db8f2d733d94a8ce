import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BatchPredictionsService } from '../../apps/api/src/batch-predictions/batch-predictions.service';
import { ConfidenceIndex } from '../../apps/api/src/batch-predictions/confidence-index';
import { listPredictionsSchema } from '../../apps/api/src/batch-predictions/list-predictions.schema';
import { encodeListingCursor } from '../../apps/api/src/batch-predictions/listing-cursor';
import {
  BatchRepository,
  newId,
  type PredictionRecord,
  PredictionRepository,
  type PredictionResult,
  RedisKeys,
} from '../../libs/jobs/src';

const LABELS = [
  'actinic keratosis',
  'basal cell carcinoma',
  'clear skin',
  'dermatofibroma',
  'melanoma',
  'melanoma metastasis',
  'nevus',
  'random',
  'seborrheic keratosis',
  'solar lentigo',
  'squamous cell carcinoma',
  'vascular lesion',
];

/** A result whose top class is `top` (1 in 100 predictions is "not a lesion"). */
function result(i: number): PredictionResult {
  const top = i % 100 === 0 ? 7 : [0, 1, 3, 4, 6, 9][i % 6];
  const raw = LABELS.map((_, k) => (k === top ? 3 + (i % 17) / 10 : ((i * (k + 3)) % 7) / 10));
  const sum = raw.reduce((a, b) => a + b, 0);
  const probabilities = LABELS.map((label, k) => ({ label, probability: raw[k] / sum }));
  return {
    label: LABELS[top],
    confidence: probabilities[top].probability,
    probabilities,
    model: { id: 'bench', version: 'sha256:bench' },
    preprocessing: { mode: 'exact', auto_orient: false },
    cached: false,
  };
}

async function timed<T>(what: string, fn: () => Promise<T>, describe: (v: T) => string): Promise<void> {
  const started = performance.now();
  const value = await fn();
  console.log(
    `${what.padEnd(52)} ${(performance.now() - started).toFixed(0).padStart(6)} ms  ${describe(value)}`,
  );
}

/**
 * GET /v1/batches/{id}/predictions on a batch of N predictions (default 100,000), through the
 * API's own listing service and the real repositories on Redis (no HTTP): first page, a page deep
 * in the batch by cursor, a rare filter, and confidence order (first call builds the index).
 *
 *   npx tsx bench/viewer/listing.bench.ts [N]
 */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = new RedisKeys(`dfbench-listing-${randomBytes(4).toString('hex')}`);
  const ttl = 3600;
  const batches = new BatchRepository(redis, keys, ttl);
  const predictions = new PredictionRepository(redis, keys, ttl);
  const service = new BatchPredictionsService(
    batches,
    predictions,
    new ConfidenceIndex(redis, keys, batches),
  );
  try {
    const batch = await batches.create({
      tenant: 't',
      name: 'bench',
      metadata: {},
      webhookUrl: null,
      notify: 'batch',
    });
    const started = performance.now();
    for (let i = 0; i < n; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, n - i) }, async (_, k) => {
          const id = newId('prd');
          const record: PredictionRecord = {
            id,
            status: 'queued',
            created_at: new Date().toISOString(),
            completed_at: null,
            batch_id: batch.id,
            filename: `site/IMG_${i + k}.jpg`,
            metadata: { accession: `ACC-${i + k}` },
            image: { sha256: id, bytes: 1, width: 384, height: 384, format: 'jpeg' },
            result: null,
            error: null,
            attempts: 1,
            tenant: 't',
            imageKey: 'x',
            priority: 'bulk',
            webhookUrl: null,
          };
          await predictions.create(record);
          await predictions.markSucceeded(id, result(i + k));
        }),
      );
    }
    console.log(`seeded ${n} predictions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const list = (query: Record<string, string>) =>
      service.list('t', batch.id, listPredictionsSchema.parse(query));
    const page = (v: { predictions: unknown[]; next_cursor: string | null }) =>
      `${v.predictions.length} predictions, next_cursor ${v.next_cursor ? 'set' : 'null'}`;
    await timed('first page (limit 100)', () => list({}), page);
    await timed(
      `page at ${Math.floor(n / 2)} by cursor (limit 100)`,
      () => list({ cursor: encodeListingCursor('created', Math.floor(n / 2)) }),
      page,
    );
    await timed(`last page by cursor`, () => list({ cursor: encodeListingCursor('created', n - 50) }), page);
    await timed('mark=not_lesion (1 in 100), first call', () => list({ mark: 'not_lesion' }), page);
    await timed('q=ACC-9999 (one match), first call', () => list({ q: 'ACC-9999' }), page);
    await timed('order=confidence, first call (builds the index)', () => list({ order: 'confidence' }), page);
    await timed('order=confidence, next call', () => list({ order: 'confidence' }), page);
    await timed(
      `order=confidence, page at ${Math.floor(n / 2)}`,
      () => list({ order: 'confidence', cursor: encodeListingCursor('confidence', Math.floor(n / 2)) }),
      page,
    );
  } finally {
    // Only this bench's own keys.
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.prefix}:*`, 'COUNT', 1000);
      if (found.length) await redis.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
