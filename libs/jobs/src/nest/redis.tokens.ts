export const REDIS = Symbol('REDIS');
export const JOBS_SETTINGS = Symbol('JOBS_SETTINGS');

export interface JobsSettings {
  redisUrl: string;
  keyPrefix: string;
  retentionDays: number;
}
