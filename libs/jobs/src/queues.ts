import type { JobsOptions } from 'bullmq';
import { defaultReliability, type ReliabilitySettings } from './config/reliability.env';

/**
 * The one typed job catalogue (STYLE.md #1): queue names, job names and payloads in one place.
 * Payloads carry ids and keys, never image bytes (STYLE.md #3).
 */
export const QueueName = {
  Inference: 'inference',
  Preprocess: 'preprocess',
  Webhooks: 'webhooks',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export interface JobCatalogue {
  inference: {
    /** Download, preprocess and classify one prediction (all-in-one mode). */
    classify: { predictionId: string; tenant: string };
    /** Classify a prediction whose model input the preprocessing tier already wrote. */
    'classify-prepared': { predictionId: string; tenant: string; inputKey: string };
    /** Occlusion map of a succeeded prediction (viewer; always bulk priority). */
    explain: { predictionId: string; tenant: string };
  };
  preprocess: {
    prepare: { predictionId: string; tenant: string };
  };
  webhooks: {
    /** Turn a domain event into deliveries (one per destination), then deliver them. */
    dispatch: import('./events/domain-events').DomainEvent;
    deliver: { deliveryId: string; tenant: string };
  };
}

export type JobName<Q extends QueueName> = keyof JobCatalogue[Q] & string;
export type JobOf<Q extends QueueName, N extends JobName<Q>> = JobCatalogue[Q][N];

/** Priorities: BullMQ takes lower numbers first; interactive predictions overtake bulk ones. */
export const JobPriority = { interactive: 1, bulk: 10 } as const;
export type PredictionPriority = keyof typeof JobPriority;

export interface QueueWorkerSettings {
  /** Long enough for one micro-batch on a slow device; renewed at half of it. */
  lockDurationMs: number;
  attempts: number;
  backoffMs: number;
  /** Bounded history: the prediction record and the S3 result are the durable copies. */
  removeOnCompleteCount: number;
  removeOnFailCount: number;
}

/** Per-queue settings; a new queue without settings does not compile (STYLE.md #2). */
export const queueWorkerSettings: Record<QueueName, QueueWorkerSettings> = {
  // Prediction jobs: attempts and backoff are the defaults of JOB_ATTEMPTS / JOB_BACKOFF_MS, long
  // enough to outlast an S3 or Redis blip of ~30 s (4 x 2 s, ~14 s in all, was not).
  inference: {
    lockDurationMs: 60_000,
    attempts: defaultReliability.jobAttempts,
    backoffMs: defaultReliability.jobBackoffMs,
    removeOnCompleteCount: 1000,
    removeOnFailCount: 5000,
  },
  preprocess: {
    lockDurationMs: 60_000,
    attempts: defaultReliability.jobAttempts,
    backoffMs: defaultReliability.jobBackoffMs,
    removeOnCompleteCount: 1000,
    removeOnFailCount: 5000,
  },
  webhooks: {
    lockDurationMs: 30_000,
    attempts: 1,
    backoffMs: 0,
    removeOnCompleteCount: 1000,
    removeOnFailCount: 5000,
  },
};

/** The queues a prediction job goes through: `preprocess` only in the split pipeline. */
export type PredictionQueueName = typeof QueueName.Inference | typeof QueueName.Preprocess;

/**
 * The options of every prediction job, whoever enqueues it (the API, or the preprocessing tier
 * handing a prepared input to the GPU tier): the prediction id as job id, so enqueueing one
 * prediction twice is a no-op; its priority; retries with backoff; bounded history.
 */
export function predictionJobOptions(
  queue: PredictionQueueName,
  predictionId: string,
  priority: PredictionPriority,
  retry: Pick<ReliabilitySettings, 'jobAttempts' | 'jobBackoffMs'> = defaultReliability,
): JobsOptions {
  const settings = queueWorkerSettings[queue];
  return {
    jobId: predictionId,
    priority: JobPriority[priority],
    attempts: retry.jobAttempts,
    backoff: { type: 'exponential', delay: retry.jobBackoffMs },
    removeOnComplete: { count: settings.removeOnCompleteCount },
    removeOnFail: { count: settings.removeOnFailCount },
  };
}

/** An explanation job: one per prediction at a time (job id), behind every interactive job. */
export function explainJobOptions(predictionId: string): JobsOptions {
  const settings = queueWorkerSettings.inference;
  return {
    jobId: `explain-${predictionId}`,
    priority: JobPriority.bulk,
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
