import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobOf, JobPriority, PredictionPriority, QueueName, queueWorkerSettings } from '@dermafleet/jobs';
import { Queue } from 'bullmq';

type ClassifyJob = JobOf<'inference', 'classify'>;

/** Typed enqueueing onto the inference queue: only known job names with their payloads. */
@Injectable()
export class InferenceQueueService {
  constructor(@InjectQueue(QueueName.Inference) private readonly queue: Queue) {}

  /** The job id is the prediction id, so a repeated enqueue of one prediction is a no-op. */
  async enqueueClassify(payload: ClassifyJob, priority: PredictionPriority): Promise<void> {
    const settings = queueWorkerSettings.inference;
    await this.queue.add('classify', payload, {
      jobId: payload.predictionId,
      priority: JobPriority[priority],
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.backoffMs },
      removeOnComplete: { count: settings.removeOnCompleteCount },
      removeOnFail: { count: settings.removeOnFailCount },
    });
  }
}
