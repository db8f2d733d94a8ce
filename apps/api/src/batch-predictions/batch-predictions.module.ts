import { Module } from '@nestjs/common';
import { BatchPredictionsController } from './batch-predictions.controller';
import { BatchPredictionsService } from './batch-predictions.service';
import { ConfidenceIndex } from './confidence-index';

/** GET /v1/batches/{id}/predictions: filtered, cursor-paged listing (the viewer's grid). */
@Module({
  controllers: [BatchPredictionsController],
  providers: [BatchPredictionsService, ConfidenceIndex],
})
export class BatchPredictionsModule {}
