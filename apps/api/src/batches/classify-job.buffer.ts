import type { InferenceQueueService } from '../queue/inference-queue.service';

/**
 * Gathers classify jobs of one request and enqueues them with addBulk, every `flushAt` jobs and
 * at the end, so a request of thousands of images costs a few round trips instead of thousands.
 */
export class ClassifyJobBuffer {
  private jobs: Array<{ predictionId: string; tenant: string }> = [];

  constructor(
    private readonly queue: InferenceQueueService,
    private readonly flushAt = 100,
  ) {}

  async add(predictionId: string, tenant: string): Promise<void> {
    this.jobs.push({ predictionId, tenant });
    if (this.jobs.length >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    const page = this.jobs;
    this.jobs = [];
    if (page.length)
      await this.queue.enqueueClassifyMany(page.map((payload) => ({ payload, priority: 'bulk' as const })));
  }
}
