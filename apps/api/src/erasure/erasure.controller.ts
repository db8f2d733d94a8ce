import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { type AuditEntry, AuditRepository, InvalidAuditCursorError } from '@dermafleet/jobs';
import { ApiKeyId, Tenant } from '../auth/tenant.decorator';
import { ApiError } from '../errors/api-error';
import { parseFields } from '../predictions/prediction-fields.schema';
import { listAuditSchema } from './erasure.schema';
import { ErasureService } from './erasure.service';

/** Erasure (DELETE of a batch or a prediction) and its audit log. */
@Controller('v1')
export class ErasureController {
  constructor(
    private readonly erasure: ErasureService,
    private readonly audit: AuditRepository,
  ) {}

  @Delete('batches/:id')
  @HttpCode(204)
  async eraseBatch(
    @Tenant() tenant: string,
    @ApiKeyId() keyId: string,
    @Param('id') id: string,
  ): Promise<void> {
    await this.erasure.eraseBatch(tenant, id, { api_key_id: keyId });
  }

  @Delete('predictions/:id')
  @HttpCode(204)
  async erasePrediction(
    @Tenant() tenant: string,
    @ApiKeyId() keyId: string,
    @Param('id') id: string,
  ): Promise<void> {
    await this.erasure.erasePrediction(tenant, id, { api_key_id: keyId });
  }

  @Get('audit')
  async list(
    @Tenant() tenant: string,
    @Query() query: unknown,
  ): Promise<{ entries: AuditEntry[]; next_cursor: string | null }> {
    const { cursor, limit } = parseFields(listAuditSchema, query);
    try {
      const page = await this.audit.list(tenant, limit, cursor || undefined);
      return { entries: page.entries, next_cursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidAuditCursorError) throw ApiError.invalid(err.message);
      throw err;
    }
  }
}
