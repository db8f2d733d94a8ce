import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { BatchRepository } from '@dermafleet/jobs';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { ApiError } from '../errors/api-error';
import { parseFields } from '../predictions/prediction-fields.schema';
import { resultsQuerySchema } from './batch-fields.schema';
import { ResultsExportService } from './results-export.service';

@Controller('v1/batches/:id/results')
export class BatchResultsController {
  constructor(
    private readonly batches: BatchRepository,
    private readonly exporter: ResultsExportService,
  ) {}

  @Get()
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
