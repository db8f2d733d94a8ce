import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BatchesCoreModule, EventsModule, JobsCoreModule, RedisKeys } from '@dermafleet/jobs';
import { StorageModule } from '@dermafleet/storage';
import { AuthModule } from './auth/auth.module';
import { BatchesModule } from './batches/batches.module';
import { API_CONFIG, ApiConfig } from './config/api.config';
import { HealthController } from './health/health.controller';
import { KeepAliveDrainService } from './http/keep-alive-drain.service';
import { MetricsController } from './metrics/metrics.controller';
import { PredictionsModule } from './predictions/predictions.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Global()
@Module({})
class ApiConfigModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiConfigModule,
      providers: [{ provide: API_CONFIG, useValue: config }],
      exports: [API_CONFIG],
    };
  }
}

/** The HTTP API: uploads, polling, health, metrics, OpenAPI. */
@Module({})
export class ApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    const keys = new RedisKeys(config.keyPrefix);
    return {
      module: ApiModule,
      imports: [
        ApiConfigModule.forRoot(config),
        JobsCoreModule.forRoot({
          redisUrl: config.redisUrl,
          keyPrefix: config.keyPrefix,
          retentionDays: config.retentionDays,
        }),
        BatchesCoreModule.forRoot(),
        StorageModule.forRoot(config.storage),
        EventsModule.forRoot({ redisUrl: config.redisUrl, keyPrefix: config.keyPrefix }),
        BullModule.forRoot({ connection: { url: config.redisUrl }, prefix: keys.bullPrefix }),
        TerminusModule,
        AuthModule,
        PredictionsModule,
        BatchesModule,
        WebhooksModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [KeepAliveDrainService],
    };
  }
}
