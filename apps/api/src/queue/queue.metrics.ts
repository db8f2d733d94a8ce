import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueueName } from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { Gauge, register } from 'prom-client';
import { withRedisTimeout } from './redis-read-timeout';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/**
 * The inference backlog as a metric (read at scrape time), for dashboards and for KEDA: our jobs
 * all carry a priority, so they sit in BullMQ's prioritized set, not in its wait list.
 */
@Injectable()
export class QueueMetrics {
  constructor(@InjectQueue(QueueName.Inference) private readonly queue: Queue) {
    const existing = register.getSingleMetric('dermafleet_queue_jobs');
    if (existing) register.removeSingleMetric('dermafleet_queue_jobs');
    const gauge: Gauge<'queue' | 'state'> = new Gauge({
      name: 'dermafleet_queue_jobs',
      help: 'Jobs in the queue by state',
      labelNames: ['queue', 'state'],
      collect: async () => {
        gauge.reset();
        // Bounded, and absent rather than stale or 0 when Redis cannot be read; the scrape goes on.
        const counts = await withRedisTimeout(this.queue.getJobCounts(...STATES)).catch(() => null);
        if (!counts) return;
        for (const state of STATES) gauge.set({ queue: QueueName.Inference, state }, counts[state] ?? 0);
      },
    });
  }
}
