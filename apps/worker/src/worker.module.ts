import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  AppLoggingModule,
  EventsModule,
  explanationRepositoryProvider,
  JobsCoreModule,
  OutboxModule,
  RESULT_COPY_WRITER,
  resultCopyWriter,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys, StorageModule } from '@dermafleet/storage';
import { WORKER_CONFIG, WorkerConfig } from './config/worker.config';
import { HealthController } from './health/health.controller';
import { ClassifyHandler } from './inference/classify.handler';
import { InferenceConsumerService } from './inference/inference-consumer.service';
import { ModelRuntimeService } from './inference/model-runtime.service';
import { PredictionOutcomeService } from './inference/prediction-outcome.service';
import { ClassifyPreparedHandler } from './inference/classify-prepared.handler';
import { MetricsController } from './metrics/metrics.controller';
import { WorkerMetrics } from './metrics/worker.metrics';
import { PrepareHandler } from './preprocess/prepare.handler';
import { PreparedJobQueue } from './preprocess/prepared-job.queue';
import { PreprocessRuntimeService } from './preprocess/preprocess-runtime.service';
import { ExplainHandler } from './explanations/explain.handler';

/**
 * The worker: a BullMQ consumer; HTTP only for health and metrics. WORKER_MODE picks what it
 * consumes (all-in-one or infer: the inference queue; preprocess: the preprocess queue); the
 * runtimes of the other modes are never opened.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppLoggingModule.forRoot(config.logging, 'worker'),
        JobsCoreModule.forRoot({
          redisUrl: config.redisUrl,
          keyPrefix: config.keyPrefix,
          retentionDays: config.retentionDays,
          reliability: config.reliability,
          recordFormat: config.recordFormat,
        }),
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
        TerminusModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        WorkerMetrics,
        ModelRuntimeService,
        PredictionOutcomeService,
        PreprocessRuntimeService,
        PreparedJobQueue,
        ClassifyHandler,
        ClassifyPreparedHandler,
        PrepareHandler,
        explanationRepositoryProvider,
        ExplainHandler,
        InferenceConsumerService,
      ],
    };
  }
}
