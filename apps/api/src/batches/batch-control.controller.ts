import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import type { Batch } from '@dermafleet/jobs';
import { Tenant } from '../auth/tenant.decorator';
import { JsonBody } from '../common/json-body.decorator';
import { parseFields } from '../predictions/prediction-fields.schema';
import { retryBatchSchema, type RetryResult } from './batch-control.schema';
import { BatchControlService } from './batch-control.service';

/** Control over a running batch: stop it, or run its failures again. */
@Controller('v1/batches')
export class BatchControlController {
  constructor(private readonly control: BatchControlService) {}

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Tenant() tenant: string, @Param('id') id: string): Promise<Batch> {
    return this.control.cancel(tenant, id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  retry(@Tenant() tenant: string, @Param('id') id: string, @JsonBody() body: unknown): Promise<RetryResult> {
    const { which } = parseFields(retryBatchSchema, body ?? {});
    return this.control.retry(tenant, id, which);
  }
}
