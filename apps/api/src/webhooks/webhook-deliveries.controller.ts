import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Delivery, deliveryStatuses } from '@dermafleet/jobs';
import { z } from 'zod';
import { Tenant } from '../auth/tenant.decorator';
import { ErrorBodyDto } from '../docs/prediction.dto';
import { parseFields } from '../predictions/prediction-fields.schema';
import { DeliveryListing, DeliveryLogService } from './delivery-log.service';
import { DeliveryDto, DeliveryListDto, WebhookEventDto } from './webhook-delivery.dto';

const listQuerySchema = z.object({
  status: z.enum(deliveryStatuses, { message: 'status must be pending, succeeded or failed' }).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number({ message: 'limit must be a number' }).int().min(1).max(200).default(50),
});

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiExtraModels(WebhookEventDto)
@Controller('v1/webhooks/deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly log: DeliveryLogService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's webhook delivery log, newest first" })
  @ApiQuery({ name: 'status', required: false, enum: deliveryStatuses })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 200, default 50' })
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiResponse({ status: 400, type: ErrorBodyDto, description: 'A bad status, cursor or limit.' })
  async list(@Tenant() tenant: string, @Query() query: Record<string, unknown>): Promise<DeliveryListing> {
    return this.log.list(tenant, parseFields(listQuerySchema, query));
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send that event again (same webhook-id, a new chain of attempts)' })
  @ApiResponse({ status: 202, type: DeliveryDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async redeliver(@Tenant() tenant: string, @Param('id') id: string): Promise<Delivery> {
    return this.log.redeliver(tenant, id);
  }
}
