import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type BatchManifest,
  ErasureRepository,
  REDIS,
  RedisKeys,
  RESULT_COPY_WRITER,
  type ResultCopyWriter,
  writeMissingManifests,
} from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';

/** Between SCAN pages, so the backfill never crowds out requests; and before a retry. */
const PAGE_PAUSE_MS = 5;
const RETRY_MS = 30_000;

/**
 * Lists the prediction records created before image reference sets existed in their images'
 * sets, once per deployment, in the background of every API replica (idempotent: a set, whoever
 * gets there first); the per-image counts the version before kept are left to expire on their
 * own (an older replica may still be counting during a rollout: see legacyImageCount). No image is
 * deleted by an erasure until it has finished (BEGIN_ERASE checks its marker): a record it has
 * not listed yet may still use the image. Then it writes the S3 manifest of each completed batch
 * that completed before manifests were written (erasure past the retention needs it).
 */
@Injectable()
export class ImageRefBackfill implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ImageRefBackfill');
  private stopped = false;
  private readonly abort = new AbortController();
  private run: Promise<void> = Promise.resolve();

  constructor(
    private readonly erasure: ErasureRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(RESULT_COPY_WRITER) private readonly copies: ResultCopyWriter,
  ) {}

  onApplicationBootstrap(): void {
    this.run = this.backfill();
  }

  private async backfill(): Promise<void> {
    while (!this.stopped) {
      try {
        const pause = async () => {
          if (this.stopped) throw new Error('shutting down');
          await sleep(PAGE_PAUSE_MS);
        };
        const listed = await this.erasure.backfillImageRefs(pause);
        if (listed) this.logger.log(`Listed the images of ${listed} earlier predictions`);
        const write = (manifest: BatchManifest) => this.copies.writeBatch(manifest);
        const written = await writeMissingManifests(this.redis, this.keys, write, pause);
        if (written) this.logger.log(`Wrote the manifests of ${written} earlier completed batches`);
        return;
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn(`Image reference backfill will be retried: ${(err as Error).message}`);
        await sleep(RETRY_MS, undefined, { ref: false, signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.run;
  }
}
