import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Delivery } from '@dermafleet/jobs';
import { Tenant } from '../auth/tenant.decorator';
import { parseFields } from '../predictions/prediction-fields.schema';
import { listQuerySchema } from './webhook-delivery.schema';
import { DeliveryListing, DeliveryLogService } from './delivery-log.service';

@Controller('v1/webhooks/deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly log: DeliveryLogService) {}

  @Get()
  async list(@Tenant() tenant: string, @Query() query: Record<string, unknown>): Promise<DeliveryListing> {
    return this.log.list(tenant, parseFields(listQuerySchema, query));
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  async redeliver(@Tenant() tenant: string, @Param('id') id: string): Promise<Delivery> {
    return this.log.redeliver(tenant, id);
  }
}
