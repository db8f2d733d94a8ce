import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { HotImageStore } from '../hot-image.store';
import { PredictionRepository } from '../prediction.repository';
import { RedisKeys } from '../redis-keys';
import { Outbox } from '../reliability/outbox';
import { withDeadline } from '../reliability/deadline';
import { WorkIndex } from '../reliability/work-index';
import { QueueErrorListeners } from './queue-error-listeners';
import { failFastRedisOptions, JOBS_SETTINGS, JobsSettings, REDIS } from './redis.tokens';

/** Closes our Redis connection last, after queues and workers (STYLE.md #7). */
@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'redis') {
    const indicator = this.health.check(key);
    try {
      const pong = await withDeadline(this.redis.ping(), 2000, 'no answer within 2 s');
      return pong === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected answer ${pong}` });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}

/** Our Redis connection, key layout and the prediction records. */
@Global()
@Module({})
export class JobsCoreModule {
  static forRoot(settings: JobsSettings): DynamicModule {
    return {
      module: JobsCoreModule,
      imports: [TerminusModule, DiscoveryModule],
      providers: [
        QueueErrorListeners,
        { provide: JOBS_SETTINGS, useValue: settings },
        {
          provide: REDIS,
          useFactory: () => new Redis(settings.redisUrl, failFastRedisOptions(settings.reliability)),
        },
        { provide: RedisKeys, useValue: new RedisKeys(settings.keyPrefix) },
        {
          provide: PredictionRepository,
          inject: [REDIS, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) =>
            new PredictionRepository(
              redis,
              keys,
              settings.retentionDays * 86400,
              settings.reliability.reconcileAfterMs,
              settings.recordFormat,
            ),
        },
        {
          provide: Outbox,
          inject: [REDIS, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) =>
            new Outbox(redis, keys, settings.reliability.reconcileAfterMs),
        },
        {
          provide: WorkIndex,
          inject: [REDIS, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) =>
            new WorkIndex(redis, keys, settings.reliability.reconcileAfterMs),
        },
        {
          provide: HotImageStore,
          inject: [REDIS, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) => new HotImageStore(redis, keys),
        },
        RedisLifecycle,
        RedisHealthIndicator,
      ],
      exports: [
        REDIS,
        RedisKeys,
        PredictionRepository,
        Outbox,
        WorkIndex,
        HotImageStore,
        RedisHealthIndicator,
        JOBS_SETTINGS,
      ],
    };
  }
}
