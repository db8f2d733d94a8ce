import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueueName } from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { Gauge, register } from 'prom-client';

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
        const counts = await this.queue.getJobCounts(...STATES);
        for (const state of STATES) gauge.set({ queue: QueueName.Inference, state }, counts[state] ?? 0);
      },
    });
  }
}
