import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { type Batch, BatchRepository, InvalidBatchCursorError, toPublicBatch } from '@dermafleet/jobs';
import { Tenant } from '../auth/tenant.decorator';
import { ApiError } from '../errors/api-error';
import { parseFields } from '../predictions/prediction-fields.schema';
import { createBatchSchema, listBatchesSchema } from './batch-fields.schema';
import { BatchSealService } from './batch-seal.service';
import { JsonBody } from '../common/json-body.decorator';

@Controller('v1/batches')
export class BatchesController {
  constructor(
    private readonly batches: BatchRepository,
    private readonly sealer: BatchSealService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Tenant() tenant: string, @JsonBody() body: unknown): Promise<Batch> {
    const fields = parseFields(createBatchSchema, body);
    const record = await this.batches.create({
      tenant,
      name: fields.name ?? null,
      metadata: fields.metadata ?? {},
      webhookUrl: fields.webhook_url ?? null,
      notify: fields.notify,
    });
    return toPublicBatch(record);
  }

  @Get()
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
  async get(@Tenant() tenant: string, @Param('id') id: string): Promise<Batch> {
    const batch = await this.batches.getPublic(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    return batch;
  }

  @Post(':id/seal')
  @HttpCode(200)
  seal(@Tenant() tenant: string, @Param('id') id: string): Promise<Batch> {
    return this.sealer.seal(tenant, id);
  }
}
