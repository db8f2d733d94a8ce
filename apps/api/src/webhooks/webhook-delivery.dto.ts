import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PredictionDto } from '../docs/prediction.dto';

/* OpenAPI descriptions of the webhook objects (CONTRACT.md); the runtime types live in libs/jobs. */

export class DeliveryDto {
  @ApiProperty({ example: 'dlv_Vq3cS1v7Zt0dY2xJm9kLrA' }) id!: string;
  @ApiProperty({ enum: ['prediction.succeeded', 'prediction.failed', 'batch.completed'] })
  event_type!: string;
  @ApiProperty({
    example: 'msg_2b1V0p7I4WnY8Zx3q6Lr9sTb5KmQ1cHd',
    description: 'Stable across retries and redeliveries.',
  })
  webhook_id!: string;
  @ApiProperty({ example: 'https://ris.example-hospital.org/hooks/dermafleet' }) url!: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty({ description: 'Attempts made so far, redeliveries included.' }) attempts!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'HTTP status of the last answer.' })
  last_status_code!: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Why the last attempt failed: destination_forbidden, timeout, connection_failed, dns_failed, ' +
      'redirect_not_followed, unexpected_status, gone (410) or invalid_url; null after a success.',
  })
  last_error!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When the next attempt is due; null once finished.',
  })
  next_attempt_at!: string | null;
  @ApiProperty() created_at!: string;
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto], description: 'Newest first.' }) deliveries!: DeliveryDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as ?cursor= for the next page; null on the last.',
  })
  next_cursor!: string | null;
}

export class DeliveryListQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] }) status?: string;
  @ApiPropertyOptional({ description: 'next_cursor of the previous page' }) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) limit?: number;
}

/**
 * The body POSTed to webhook receivers, signed per Standard Webhooks (headers webhook-id,
 * webhook-timestamp, webhook-signature). `data` is a prediction object, or a batch object for
 * batch.completed.
 */
export class WebhookEventDto {
  @ApiProperty({ enum: ['prediction.succeeded', 'prediction.failed', 'batch.completed'] }) type!: string;
  @ApiProperty({ description: 'When the state change happened (RFC 3339).' }) timestamp!: string;
  @ApiProperty({
    type: PredictionDto,
    description: 'The prediction object, or the batch object for batch.completed.',
  })
  data!: PredictionDto;
}
