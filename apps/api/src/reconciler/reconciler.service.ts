import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { LeaderLease, Outbox, REDIS, RedisKeys, WorkIndex } from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { PendingUploadsSweeper } from '../batches/pending-uploads.sweeper';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ErasureService } from '../erasure/erasure.service';
import { ExpiredBatchErasure } from '../erasure/expired-batch-erasure';
import { OutboxRepair } from './outbox-repair';
import { PredictionRepair } from './prediction-repair';
import { reconcilerRepairs } from './reconciler.metrics';

/** Entries looked at per round and kind; a backlog of repairs takes several rounds. */
const PAGE = 200;

/**
 * The reconciler (one per deployment: every API replica runs this loop, only the holder of the
 * Redis leader lease works). Each round finishes what crashes left between steps: predictions
 * in the work index past their deadline (PredictionRepair), sealed batches whose missing uploads
 * were not failed yet (PendingUploadsSweeper), and outbox entries the fast path did not relay
 * (OutboxRepair). Batches need no pass of their own: the completion and its
 * batch.completed event are one Lua call, so "completed without its event" is an outbox entry.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private readonly lease: LeaderLease;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private round: Promise<void> = Promise.resolve();
  private leading = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) redis: Redis,
    keys: RedisKeys,
    private readonly work: WorkIndex,
    private readonly outbox: Outbox,
    private readonly predictions: PredictionRepair,
    private readonly events: OutboxRepair,
    private readonly sweeper: PendingUploadsSweeper,
    private readonly erasures: ErasureService,
    private readonly expiredErasures: ExpiredBatchErasure,
  ) {
    // A leader that dies is replaced within a few rounds.
    this.lease = new LeaderLease(
      redis,
      keys.reconcilerLeader,
      Math.max(3 * config.reconcileIntervalMs, 3000),
    );
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound().finally(() => this.schedule());
    }, this.config.reconcileIntervalMs);
    this.timer.unref();
  }

  /** One round; never throws (Redis down: try again next round). Exposed for tests. */
  async runRound(): Promise<void> {
    try {
      const leading = await this.lease.acquire();
      if (leading !== this.leading) this.logger.log(leading ? 'Leading the reconciler' : 'Not leading');
      this.leading = leading;
      if (!leading) return;
      for (const id of await this.work.due(PAGE)) {
        // A batch erasure whose process died before it finished (ErasureKeys.workMember).
        if (id.startsWith('erase|')) {
          await this.attempt(`erasure ${id}`, () => this.erasures.resume(id.slice('erase|'.length)));
          reconcilerRepairs.inc({ kind: 'erasure' });
        } else if (id.startsWith('erase-expired|')) {
          // The same for a batch past the retention (ErasureKeys.expiredBatchWorkMember).
          const [, tenant, batchId] = id.split('|');
          await this.attempt(`erasure ${id}`, () => this.expiredErasures.resume(tenant, batchId));
          reconcilerRepairs.inc({ kind: 'erasure' });
        } else if (id.startsWith('bat_')) {
          // A sealed batch whose missing uploads the seal request did not get to fail.
          await this.attempt(`batch ${id}`, () => this.sweeper.sweep(id));
          reconcilerRepairs.inc({ kind: 'upload_missing_sweep' });
        } else {
          const outcome = await this.attempt(`prediction ${id}`, () => this.predictions.repair(id));
          if (outcome && outcome !== 'owned' && outcome !== 'gone') reconcilerRepairs.inc({ kind: outcome });
        }
      }
      for (const member of await this.outbox.due(PAGE)) {
        await this.attempt(`outbox ${member}`, () => this.events.repair(member));
        reconcilerRepairs.inc({ kind: 'outbox' });
      }
    } catch (err) {
      this.logger.warn(`Round skipped: ${(err as Error).message}`);
    }
  }

  private async attempt<T>(what: string, repair: () => Promise<T>): Promise<T | undefined> {
    try {
      return await repair();
    } catch (err) {
      this.logger.warn(`Could not repair ${what} yet: ${(err as Error).message}`);
      return undefined;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    if (this.leading) await this.lease.release().catch(() => undefined);
  }
}
