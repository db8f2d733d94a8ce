import { envInt } from './env-parse';

/**
 * Retry, timeout and reconciliation settings shared by the API and the workers (both enqueue
 * prediction jobs, both finish predictions). Defaults outlast ordinary S3 or Redis blips of
 * about 30 s: 8 attempts with 2 s exponential backoff wait 2+4+...+128 = 254 s in all.
 * Tests shorten them; docs/RELIABILITY.md explains each.
 */
export const reliabilityEnv = {
  JOB_ATTEMPTS: envInt('a whole number of attempts from 1 to 50', 1, 50).default(8),
  JOB_BACKOFF_MS: envInt('a number of milliseconds (at least 10)', 10).default(2000),
  RECONCILE_AFTER_MS: envInt('a number of milliseconds (at least 100)', 100).default(60_000),
  REDIS_COMMAND_TIMEOUT_MS: envInt('a number of milliseconds (at least 100)', 100).default(5000),
};

type ReliabilityEnvOut = {
  JOB_ATTEMPTS: number;
  JOB_BACKOFF_MS: number;
  RECONCILE_AFTER_MS: number;
  REDIS_COMMAND_TIMEOUT_MS: number;
};

export interface ReliabilitySettings {
  /** Retries of prediction jobs (transient failures: storage, Redis, model errors). */
  jobAttempts: number;
  jobBackoffMs: number;
  /** How long a prediction or an outbox entry may go without progress before the reconciler looks. */
  reconcileAfterMs: number;
  /** No Redis command waits longer than this (a request then answers 503). */
  redisCommandTimeoutMs: number;
}

export function toReliabilitySettings(env: ReliabilityEnvOut): ReliabilitySettings {
  return {
    jobAttempts: env.JOB_ATTEMPTS,
    jobBackoffMs: env.JOB_BACKOFF_MS,
    reconcileAfterMs: env.RECONCILE_AFTER_MS,
    redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  };
}

export const defaultReliability: ReliabilitySettings = toReliabilitySettings({
  JOB_ATTEMPTS: 8,
  JOB_BACKOFF_MS: 2000,
  RECONCILE_AFTER_MS: 60_000,
  REDIS_COMMAND_TIMEOUT_MS: 5000,
});
