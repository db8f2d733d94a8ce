import type { RecordFormat } from '../config/redis.env';
import type { ReliabilitySettings } from '../config/reliability.env';

export const REDIS = Symbol('REDIS');
export const JOBS_SETTINGS = Symbol('JOBS_SETTINGS');

export interface JobsSettings {
  redisUrl: string;
  keyPrefix: string;
  retentionDays: number;
  reliability: ReliabilitySettings;
  /** RECORD_FORMAT; compact when left out. */
  recordFormat?: RecordFormat;
}

/**
 * ioredis options for our own connections (records, queues we add to): a command that cannot be
 * sent fails after one reconnection try instead of waiting (the request answers 503
 * dependency_unavailable), and none waits longer than the command timeout. Not for BullMQ
 * Workers, which need maxRetriesPerRequest null for their blocking fetches.
 */
export function failFastRedisOptions(reliability: Pick<ReliabilitySettings, 'redisCommandTimeoutMs'>) {
  return {
    maxRetriesPerRequest: 1,
    commandTimeout: reliability.redisCommandTimeoutMs,
    connectTimeout: reliability.redisCommandTimeoutMs,
    enableOfflineQueue: true,
  };
}
