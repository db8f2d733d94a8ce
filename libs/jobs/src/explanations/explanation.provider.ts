import type { FactoryProvider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { JOBS_SETTINGS, type JobsSettings, REDIS } from '../nest/redis.tokens';
import { RedisKeys } from '../redis-keys';
import { ExplanationRepository } from './explanation.repository';

/** ExplanationRepository on JobsCoreModule's connection; the API and the worker each provide it. */
export const explanationRepositoryProvider: FactoryProvider<ExplanationRepository> = {
  provide: ExplanationRepository,
  inject: [REDIS, RedisKeys, JOBS_SETTINGS],
  useFactory: (redis: Redis, keys: RedisKeys, settings: JobsSettings) =>
    new ExplanationRepository(redis, keys, settings.retentionDays * 86400),
};
