import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { ErrorBodyDto } from '../docs/prediction.dto';
import { parseFields } from '../predictions/prediction-fields.schema';
import { BatchPredictionsService, type PredictionPage } from './batch-predictions.service';
import { PredictionPageDto } from './batch-predictions.dto';
import { listPredictionsSchema } from './list-predictions.schema';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('v1/batches')
export class BatchPredictionsController {
  constructor(private readonly listing: BatchPredictionsService) {}

  @Get(':id/predictions')
  @ApiOperation({
    summary: "A page of the batch's predictions, filtered",
    description:
      'Creation order (default) or `order=confidence` (highest first; failed last). A page may hold fewer ' +
      'than `limit` predictions (a rare filter examines at most 5,000 per request) while `next_cursor` ' +
      'is not null; `next_cursor` null means the end. The cursor is a position, so paging never rescans.',
  })
  @ApiQuery({ name: 'status', required: false, enum: ['queued', 'processing', 'succeeded', 'failed'] })
  @ApiQuery({ name: 'label', required: false, description: 'top label, exactly' })
  @ApiQuery({
    name: 'mark',
    required: false,
    description: 'any of not_lesion (random, clear skin), low_confidence, failed; comma-separated',
  })
  @ApiQuery({
    name: 'margin',
    required: false,
    description: 'low_confidence: top-1 minus top-2 under this (default 0.1)',
  })
  @ApiQuery({
    name: 'q',
    required: false,
    description: 'text in the filename or metadata (case-insensitive)',
  })
  @ApiQuery({ name: 'order', required: false, enum: ['created', 'confidence'] })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiOkResponse({ type: PredictionPageDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  list(@Tenant() tenant: string, @Param('id') id: string, @Query() query: unknown): Promise<PredictionPage> {
    return this.listing.list(tenant, id, parseFields(listPredictionsSchema, query));
  }
}
