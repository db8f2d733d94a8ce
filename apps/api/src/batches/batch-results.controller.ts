import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { BatchRepository } from '@dermafleet/jobs';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { ErrorBodyDto } from '../docs/prediction.dto';
import { ApiError } from '../errors/api-error';
import { parseFields } from '../predictions/prediction-fields.schema';
import { resultsQuerySchema } from './batch-fields.schema';
import { ResultsExportService } from './results-export.service';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('v1/batches/:id/results')
export class BatchResultsController {
  constructor(
    private readonly batches: BatchRepository,
    private readonly exporter: ResultsExportService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Every prediction of the batch so far, in creation order, streamed (NDJSON or CSV)',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['ndjson', 'csv'] })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiResponse({ status: 200, description: 'Streamed; header X-Batch-Status says open, sealed or completed' })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async results(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Query() query: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const { format } = parseFields(resultsQuerySchema, query);
    const batch = await this.batches.get(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    await this.exporter.write(res, batch, format);
  }
}
