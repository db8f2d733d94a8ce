import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type Batch, BatchRepository, InvalidBatchCursorError, toPublicBatch } from '@dermafleet/jobs';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { ErrorBodyDto } from '../docs/prediction.dto';
import { ApiError } from '../errors/api-error';
import { IdempotencyService } from '../predictions/idempotency.service';
import { parseFields } from '../predictions/prediction-fields.schema';
import { requestFingerprint } from '../predictions/request-fingerprint';
import { clientGone } from '../predictions/wait/client-gone.signal';
import { FinalStateListener } from '../predictions/wait/final-state.listener';
import { holdUntil } from '../predictions/wait/hold-until';
import { parseWaitMs, waitQueryDoc } from '../predictions/wait/wait-query.schema';
import { createBatchSchema, listBatchesSchema } from './batch-fields.schema';
import { BatchSealService } from './batch-seal.service';
import { BatchDto, BatchPageDto, CreateBatchDto } from './batch.dto';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('v1/batches')
export class BatchesController {
  constructor(
    private readonly batches: BatchRepository,
    private readonly sealer: BatchSealService,
    private readonly idempotency: IdempotencyService,
    private readonly listener: FinalStateListener,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a batch' })
  @ApiBody({ type: CreateBatchDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Same key and tenant within 24 h with the same body: the batch the first request created (200), never a second one; with another body: 422 idempotency_key_reused.',
  })
  @ApiResponse({ status: 201, type: BatchDto })
  @ApiResponse({ status: 200, type: BatchDto, description: 'An Idempotency-Key replay: the first batch.' })
  async create(
    @Tenant() tenant: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Batch> {
    const fields = parseFields(createBatchSchema, body);
    const input = {
      tenant,
      name: fields.name ?? null,
      metadata: fields.metadata ?? {},
      webhookUrl: fields.webhook_url ?? null,
      notify: fields.notify,
    };
    const claim =
      idempotencyKey === undefined
        ? null
        : await this.idempotency.claim('bat', tenant, idempotencyKey, requestFingerprint({ ...input }));
    if (!claim) return toPublicBatch(await this.batches.create(input));
    const { record, created } = await this.batches.createOnce(input, claim.id);
    if (!created) res.status(200);
    return toPublicBatch(record);
  }

  @Get()
  @ApiOperation({ summary: "The tenant's batches, newest first" })
  @ApiOkResponse({ type: BatchPageDto })
  async list(
    @Tenant() tenant: string,
    @Query() query: unknown,
  ): Promise<{ batches: Batch[]; next_cursor: string | null }> {
    const { cursor, limit } = parseFields(listBatchesSchema, query);
    try {
      const page = await this.batches.list(tenant, limit, cursor || undefined);
      return { batches: page.batches, next_cursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidBatchCursorError) throw ApiError.invalid(err.message);
      throw err;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'Progress of one batch, or long-poll its completion with ?wait=' })
  @ApiQuery({
    ...waitQueryDoc,
    description:
      'Seconds (0-30, fractions allowed) to hold the request: it answers as soon as the batch is completed, ' +
      'or when the time is up with the batch as it stands (200 both). Default 0.',
  })
  @ApiOkResponse({ type: BatchDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async get(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Query('wait') wait: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Batch> {
    const waitMs = parseWaitMs(wait);
    const read = () => this.batches.getPublic(tenant, id);
    const batch =
      waitMs > 0
        ? await holdUntil(this.listener, id, waitMs, clientGone(res), read, (b) => b.status === 'completed')
        : await read();
    if (!batch) throw ApiError.notFound('batch');
    return batch;
  }

  @Post(':id/seal')
  @HttpCode(200)
  @ApiOperation({
    summary: 'No more images (idempotent); direct uploads that never arrived fail with upload_missing',
  })
  @ApiOkResponse({ type: BatchDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  seal(@Tenant() tenant: string, @Param('id') id: string): Promise<Batch> {
    return this.sealer.seal(tenant, id);
  }
}
