import { Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { type BatchRecord, BatchRepository } from '@dermafleet/jobs';
import type { Request } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { BacklogGuard } from '../queue/backlog.guard';
import { ApiError } from '../errors/api-error';
import { parseFields } from '../predictions/prediction-fields.schema';
import { BatchMultipartService } from './batch-multipart.service';
import { completeSchema, uploadsSchema } from './batch-fields.schema';
import type { AddImagesResult, CompleteResult, UploadsResult } from './batch-results.types';
import { DirectUploadService } from './direct-upload.service';
import { UploadCompletionService } from './upload-completion.service';
import { JsonBody } from '../common/json-body.decorator';

@Controller('v1/batches/:id')
export class BatchUploadsController {
  constructor(
    private readonly batches: BatchRepository,
    private readonly multipart: BatchMultipartService,
    private readonly direct: DirectUploadService,
    private readonly completion: UploadCompletionService,
  ) {}

  @Post('images')
  @HttpCode(202)
  @UseGuards(BacklogGuard)
  async addImages(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Req() req: Request,
  ): Promise<AddImagesResult> {
    const batch = await this.openBatch(tenant, id);
    return this.multipart.add(tenant, batch.id, req);
  }

  @Post('uploads')
  @HttpCode(200)
  @UseGuards(BacklogGuard)
  async uploads(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @JsonBody() body: unknown,
  ): Promise<UploadsResult> {
    const batch = await this.openBatch(tenant, id);
    const { files } = parseFields(uploadsSchema, body);
    return this.direct.prepare(tenant, batch.id, files);
  }

  @Post('uploads/complete')
  @HttpCode(202)
  async complete(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @JsonBody() body: unknown,
  ): Promise<CompleteResult> {
    const batch = await this.batches.get(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    const { prediction_ids } = parseFields(completeSchema, body);
    return this.completion.complete(tenant, batch.id, prediction_ids);
  }

  private async openBatch(tenant: string, id: string): Promise<BatchRecord> {
    const batch = await this.batches.get(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    if (batch.status !== 'open')
      throw new ApiError(409, 'batch_sealed', 'The batch is sealed; create a new batch for more images.');
    return batch;
  }
}
