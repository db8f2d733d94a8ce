import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueueName } from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { Gauge, register } from 'prom-client';
import { withRedisTimeout } from './redis-read-timeout';
import {
  BACKLOG_STATES,
  backlogResponse,
  type BacklogResponse,
  type QueueBacklog,
} from './queue-backlog.schema';

const GAUGE = 'dermafleet_queue_backlog';

/**
 * The work still to do per prediction queue, read from Redis at request (or scrape) time, so
 * every API replica reports the same numbers. Anything that cannot be read is an error, never 0:
 * a backlog of "0 because unknown" would scale the workers to zero with work waiting.
 */
@Injectable()
export class QueueBacklogService {
  constructor(
    @InjectQueue(QueueName.Inference) private readonly inference: Queue,
    @InjectQueue(QueueName.Preprocess) private readonly preprocess: Queue,
  ) {
    // Replaced, not reused: tests build several apps in one process, each with its own queues.
    if (register.getSingleMetric(GAUGE)) register.removeSingleMetric(GAUGE);
    const gauge: Gauge<'queue'> = new Gauge({
      name: GAUGE,
      help:
        'Jobs still to do per queue (waiting + prioritized + delayed + active), read from Redis: ' +
        'identical on every API replica, so aggregate with max(), never sum(). Absent when Redis cannot be read.',
      labelNames: ['queue'],
      collect: async () => {
        gauge.reset();
        try {
          const backlog = await this.read();
          for (const [queue, counts] of Object.entries(backlog.queues)) gauge.set({ queue }, counts.total);
        } catch {
          // Left absent (not 0) for this scrape; the other series of /metrics still answer.
        }
      },
    });
  }

  /** Throws when Redis does not answer (in time): the caller says so, never 0. */
  async read(): Promise<BacklogResponse> {
    const [inference, preprocess] = await withRedisTimeout(
      Promise.all([this.countsOf(this.inference), this.countsOf(this.preprocess)]),
    );
    return backlogResponse.parse({ queues: { inference, preprocess } });
  }

  private async countsOf(queue: Queue): Promise<QueueBacklog> {
    const counts = await queue.getJobCounts(...BACKLOG_STATES);
    const [waiting, prioritized, delayed, active] = BACKLOG_STATES.map((s) => counts[s] ?? 0);
    return { waiting, prioritized, delayed, active, total: waiting + prioritized + delayed + active };
  }
}
