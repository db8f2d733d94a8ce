import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorInfoDto, PredictionDto } from '../docs/prediction.dto';

/* OpenAPI descriptions of the batch objects (CONTRACT.md); the runtime types live in libs/jobs. */

export class BatchCountsDto {
  @ApiProperty() total!: number;
  @ApiProperty() queued!: number;
  @ApiProperty() processing!: number;
  @ApiProperty() succeeded!: number;
  @ApiProperty() failed!: number;
}

export class BatchDto {
  @ApiProperty({ example: 'bat_2J5Xo1qkq6m1xk3l9dQf0A' }) id!: string;
  @ApiProperty({ enum: ['open', 'sealed', 'completed'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) sealed_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) completed_at!: string | null;
  @ApiProperty({ type: BatchCountsDto }) counts!: BatchCountsDto;
  @ApiProperty({
    type: [String],
    example: ['sha256:3f1c…'],
    description:
      'The distinct result.model.version values of the results so far, first seen first: more than one means a model changed during the batch',
  })
  model_versions!: string[];
}

export class CreateBatchDto {
  @ApiPropertyOptional({ maxLength: 200 }) name?: string;
  @ApiPropertyOptional({
    description: 'http(s) URL for batch.completed (and, with notify=each, prediction events)',
  })
  webhook_url?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'JSON object, at most 4 KiB',
  })
  metadata?: Record<string, unknown>;
  @ApiPropertyOptional({ enum: ['batch', 'each'], default: 'batch' }) notify?: string;
}

export class BatchPageDto {
  @ApiProperty({ type: [BatchDto] }) batches!: BatchDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next (older) page.' })
  next_cursor!: string | null;
}

export class AddImagesFormDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'binary' },
    description: 'One or more image files; each filename is kept',
  })
  image!: unknown[];
  @ApiPropertyOptional({ description: 'JSON object for the image parts after it' }) metadata?: string;
}

export class RejectedFileDto {
  @ApiProperty({ nullable: true, type: String }) filename!: string | null;
  @ApiProperty({ type: ErrorInfoDto }) error!: ErrorInfoDto;
}

export class AddImagesResultDto {
  @ApiProperty({ type: [PredictionDto] }) accepted!: PredictionDto[];
  @ApiProperty({ type: [RejectedFileDto] }) rejected!: RejectedFileDto[];
}

export class UploadFileDto {
  @ApiProperty({
    example: '2019/derm/IMG_0001.jpg',
    description: 'Path relative to the submitted folder; names one image per batch',
  })
  filename!: string;
  @ApiProperty({ description: 'hex sha256 of the bytes' }) sha256!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty({ example: 'image/jpeg' }) content_type!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) metadata?: Record<string, unknown>;
}

export class UploadsRequestDto {
  @ApiProperty({ type: [UploadFileDto], maxItems: 1000 }) files!: UploadFileDto[];
}

export class UploadTicketDto {
  @ApiProperty() prediction_id!: string;
  @ApiProperty() filename!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'PUT the bytes here; null when they are already stored',
  })
  url!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Send these headers with the PUT',
  })
  headers!: Record<string, string>;
  @ApiProperty({ nullable: true, type: String }) expires_at!: string | null;
}

export class UploadsResultDto {
  @ApiProperty({ type: [UploadTicketDto] }) uploads!: UploadTicketDto[];
  @ApiProperty({
    type: [RejectedFileDto],
    description: 'Entries not taken (bad filename, not an image type, too large)',
  })
  rejected!: RejectedFileDto[];
}

export class CompleteRequestDto {
  @ApiProperty({ type: [String], maxItems: 1000 }) prediction_ids!: string[];
}

export class RejectedPredictionDto {
  @ApiProperty() prediction_id!: string;
  @ApiProperty({ type: ErrorInfoDto }) error!: ErrorInfoDto;
}

export class CompleteResultDto {
  @ApiProperty({ type: [PredictionDto] }) accepted!: PredictionDto[];
  @ApiProperty({ type: [RejectedPredictionDto] }) rejected!: RejectedPredictionDto[];
}
