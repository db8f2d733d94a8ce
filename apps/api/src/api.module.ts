import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  AppLoggingModule,
  BatchesCoreModule,
  EventsModule,
  failFastRedisOptions,
  JobsCoreModule,
  OutboxModule,
  RedisKeys,
  RESULT_COPY_WRITER,
  resultCopyWriter,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys, StorageModule } from '@dermafleet/storage';
import { AuthModule } from './auth/auth.module';
import { BatchesModule } from './batches/batches.module';
import { API_CONFIG, ApiConfig } from './config/api.config';
import { HealthController } from './health/health.controller';
import { KeepAliveDrainService } from './http/keep-alive-drain.service';
import { MetricsController } from './metrics/metrics.controller';
import { PredictionsModule } from './predictions/predictions.module';
import { ReconcilerModule } from './reconciler/reconciler.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { AdminModule } from './admin/admin.module';
import { BatchPredictionsModule } from './batch-predictions/batch-predictions.module';
import { ExplanationsModule } from './explanations/explanations.module';
import { ViewerModule } from './viewer/viewer.module';

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
        AppLoggingModule.forRoot(config.logging, 'api'),
        JobsCoreModule.forRoot({
          redisUrl: config.redisUrl,
          keyPrefix: config.keyPrefix,
          retentionDays: config.retentionDays,
          reliability: config.reliability,
          recordFormat: config.recordFormat,
        }),
        BatchesCoreModule.forRoot(),
        StorageModule.forRoot(config.storage),
        EventsModule.forRoot({
          redisUrl: config.redisUrl,
          keyPrefix: config.keyPrefix,
          reliability: config.reliability,
        }),
        OutboxModule.forRoot({
          provide: RESULT_COPY_WRITER,
          inject: [ObjectStore],
          useFactory: (store: ObjectStore) =>
            resultCopyWriter(store, objectKeys.result, objectKeys.batchManifest),
        }),
        // Queues we add to fail fast when Redis is away (the request answers 503); the webhook
        // consumer's Worker makes its own blocking connection.
        BullModule.forRoot({
          connection: { url: config.redisUrl, ...failFastRedisOptions(config.reliability) },
          prefix: keys.bullPrefix,
        }),
        TerminusModule,
        AuthModule,
        PredictionsModule,
        BatchesModule,
        WebhooksModule,
        ReconcilerModule,
        BatchPredictionsModule,
        ExplanationsModule,
        ViewerModule,
        ...(config.adminApiKey ? [AdminModule] : []),
      ],
      controllers: [HealthController, MetricsController],
      providers: [KeepAliveDrainService],
    };
  }
}
