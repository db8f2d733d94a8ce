import { Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { type Batch, BatchRepository, InvalidBatchCursorError, toPublicBatch } from '@dermafleet/jobs';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { ApiError } from '../errors/api-error';
import { IdempotencyService } from '../predictions/idempotency.service';
import { parseFields } from '../predictions/prediction-fields.schema';
import { requestFingerprint } from '../predictions/request-fingerprint';
import { clientGone } from '../predictions/wait/client-gone.signal';
import { FinalStateListener } from '../predictions/wait/final-state.listener';
import { holdUntil } from '../predictions/wait/hold-until';
import { parseWaitMs } from '../predictions/wait/wait-query.schema';
import { createBatchSchema, listBatchesSchema } from './batch-fields.schema';
import { BatchReaderService } from './batch-reader.service';
import { BatchSealService } from './batch-seal.service';
import { JsonBody } from '../common/json-body.decorator';

@Controller('v1/batches')
export class BatchesController {
  constructor(
    private readonly batches: BatchRepository,
    private readonly sealer: BatchSealService,
    private readonly idempotency: IdempotencyService,
    private readonly listener: FinalStateListener,
    private readonly reader: BatchReaderService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Tenant() tenant: string,
    @JsonBody() body: unknown,
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
    const { record, created } = await this.batches.createOnce(input, claim.id, undefined, claim.key);
    if (!created) res.status(200);
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
  async get(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Query('wait') wait: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Batch> {
    const waitMs = parseWaitMs(wait);
    const read = () => this.reader.find(tenant, id);
    const batch =
      waitMs > 0
        ? await holdUntil(this.listener, id, waitMs, clientGone(res), read, (b) => b.status === 'completed')
        : await read();
    if (!batch) throw ApiError.notFound('batch');
    return batch;
  }

  @Post(':id/seal')
  @HttpCode(200)
  seal(@Tenant() tenant: string, @Param('id') id: string): Promise<Batch> {
    return this.sealer.seal(tenant, id);
  }
}
