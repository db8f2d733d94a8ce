import { Inject, Module } from '@nestjs/common';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ErasureModule } from '../erasure/erasure.module';
import { QueueModule } from '../queue/queue.module';
import { CachedResultService } from './cached-result.service';
import { IdempotencyService } from './idempotency.service';
import { PredictionAdmissionService } from './prediction-admission.service';
import { PredictionEventsService } from './prediction-events.service';
import { PredictionIntakeService } from './prediction-intake.service';
import { PredictionReaderService } from './prediction-reader.service';
import { PredictionsController } from './predictions.controller';
import { FinalStateListener } from './wait/final-state.listener';
import { PredictionWaitService } from './wait/prediction-wait.service';

@Module({
  imports: [QueueModule, ErasureModule],
  controllers: [PredictionsController],
  providers: [
    PredictionIntakeService,
    PredictionReaderService,
    CachedResultService,
    PredictionEventsService,
    PredictionAdmissionService,
    IdempotencyService,
    FinalStateListener,
    PredictionWaitService,
  ],
  // Batches reuse intake's parts: dedupe, admission, events (and the queue through QueueModule).
  exports: [
    QueueModule,
    ErasureModule,
    PredictionIntakeService,
    PredictionReaderService,
    CachedResultService,
    PredictionEventsService,
    PredictionAdmissionService,
    IdempotencyService,
    FinalStateListener,
  ],
})
export class PredictionsModule {
  constructor(@Inject(API_CONFIG) readonly config: ApiConfig) {}
}
