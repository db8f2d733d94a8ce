import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { JOBS_SETTINGS, type JobsSettings, REDIS } from '../nest/redis.tokens';
import { RedisKeys } from '../redis-keys';
import { BatchRepository } from './batch.repository';
import { BatchControlRepository } from './batch-control.repository';
import { ResultCache } from './result-cache';

/**
 * Batch records and the dedupe cache, on JobsCoreModule's Redis connection. Global so the
 * webhook dispatcher can read the public batch object (BatchRepository.getPublic) as well.
 */
@Global()
@Module({})
export class BatchesCoreModule {
  static forRoot(): DynamicModule {
    return {
      module: BatchesCoreModule,
      providers: [
        {
          provide: BatchRepository,
          inject: [REDIS, RedisKeys, JOBS_SETTINGS],
          useFactory: (redis: Redis, keys: RedisKeys, settings: JobsSettings) =>
            new BatchRepository(
              redis,
              keys,
              settings.retentionDays * 86400,
              settings.reliability.reconcileAfterMs,
            ),
        },
        {
          provide: BatchControlRepository,
          inject: [REDIS, RedisKeys, JOBS_SETTINGS],
          useFactory: (redis: Redis, keys: RedisKeys, settings: JobsSettings) =>
            new BatchControlRepository(redis, keys, settings.reliability.reconcileAfterMs),
        },
        {
          provide: ResultCache,
          inject: [REDIS, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) => new ResultCache(redis, keys),
        },
      ],
      exports: [BatchRepository, BatchControlRepository, ResultCache],
    };
  }
}
