import { Controller, Get, Param, Query } from '@nestjs/common';
import { Tenant } from '../auth/tenant.decorator';
import { parseFields } from '../predictions/prediction-fields.schema';
import { BatchPredictionsService, type PredictionPage } from './batch-predictions.service';
import { listPredictionsSchema } from './list-predictions.schema';

@Controller('v1/batches')
export class BatchPredictionsController {
  constructor(private readonly listing: BatchPredictionsService) {}

  @Get(':id/predictions')
  list(@Tenant() tenant: string, @Param('id') id: string, @Query() query: unknown): Promise<PredictionPage> {
    return this.listing.list(tenant, id, parseFields(listPredictionsSchema, query));
  }
}
