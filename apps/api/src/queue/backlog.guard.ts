import { CanActivate, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { QueueName } from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';

/** A replica re-reads the counts at most this often: admission costs no Redis call per request. */
const FRESH_MS = 1000;
/** What a refused client is told to wait: about the time a busy fleet needs to drain a batch of work. */
const RETRY_AFTER_S = 30;

/** How many jobs wait in the prediction queues, read at most once per FRESH_MS. */
@Injectable()
export class BacklogReader {
  private readonly logger = new Logger('Backlog');
  private cached: { at: number; backlog: Promise<number> } | null = null;

  constructor(
    @InjectQueue(QueueName.Inference) private readonly inference: Queue,
    @InjectQueue(QueueName.Preprocess) private readonly preprocess: Queue,
  ) {}

  waiting(): Promise<number> {
    if (!this.cached || Date.now() - this.cached.at > FRESH_MS) {
      const backlog = Promise.all(
        [this.inference, this.preprocess].map((q) =>
          q.getJobCountByTypes('waiting', 'prioritized', 'delayed'),
        ),
      ).then((counts) => counts.reduce((a, b) => a + b, 0));
      this.cached = { at: Date.now(), backlog };
      // A failed read is not remembered: the next request tries again.
      backlog.catch((err: Error) => {
        this.logger.warn(`Backlog not read: ${err.message}`);
        this.cached = null;
      });
    }
    return this.cached.backlog;
  }
}

/**
 * Backlog cap on the routes that create work (QUEUE_MAX_BACKLOG): when more jobs are waiting in
 * the prediction queues (waiting + prioritized + delayed, both tiers; running ones are not
 * backlog) than the cap, new work answers 503 queue_full with Retry-After instead of growing a
 * queue nobody can drain in time. Counts come from Redis, so every replica agrees within FRESH_MS.
 */
@Injectable()
export class BacklogGuard implements CanActivate {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly reader: BacklogReader,
  ) {}

  async canActivate(): Promise<boolean> {
    const backlog = await this.reader.waiting();
    if (backlog <= this.config.queueMaxBacklog) return true;
    throw new ApiError(
      503,
      'queue_full',
      `${backlog} images are waiting to be classified (the limit is ${this.config.queueMaxBacklog}); retry later.`,
      { 'Retry-After': String(RETRY_AFTER_S) },
    );
  }
}
