import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/* OpenAPI descriptions of the contract's objects (CONTRACT.md); the runtime types live in libs/jobs. */

export class ImageInfoDto {
  @ApiProperty({ example: '9f86d08...' }) sha256!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
  @ApiProperty({ enum: ['jpeg', 'png', 'webp', 'tiff', 'gif', 'bmp'] }) format!: string;
}

export class ProbabilityDto {
  @ApiProperty({ example: 'melanoma' }) label!: string;
  @ApiProperty({ example: 0.0012017 }) probability!: number;
}

export class ModelRefDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'sha256:3b1f...' }) version!: string;
}

export class PreprocessingDto {
  @ApiProperty({ enum: ['exact', 'fast'] }) mode!: string;
  @ApiProperty() auto_orient!: boolean;
}

export class ResultDto {
  @ApiProperty({ example: 'melanoma' }) label!: string;
  @ApiProperty({ example: 0.9312004 }) confidence!: number;
  @ApiProperty({ type: [ProbabilityDto], description: 'Every class, in the model index order (id2label).' })
  probabilities!: ProbabilityDto[];
  @ApiProperty({ type: ModelRefDto }) model!: ModelRefDto;
  @ApiProperty({ type: PreprocessingDto }) preprocessing!: PreprocessingDto;
  @ApiProperty({ description: 'True when reused from an identical earlier image.' }) cached!: boolean;
}

export class ErrorInfoDto {
  @ApiProperty({ example: 'invalid_image' }) code!: string;
  @ApiProperty() message!: string;
}

export class PredictionDto {
  @ApiProperty({ example: 'prd_2J5Xo1qkq6m1xk3l9dQf0A' }) id!: string;
  @ApiProperty({ enum: ['queued', 'processing', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) completed_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) batch_id!: string | null;
  @ApiProperty({ nullable: true, type: String }) filename!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiProperty({ type: ImageInfoDto }) image!: ImageInfoDto;
  @ApiPropertyOptional({ type: ResultDto, nullable: true }) result!: ResultDto | null;
  @ApiPropertyOptional({ type: ErrorInfoDto, nullable: true }) error!: ErrorInfoDto | null;
}

export class ErrorBodyDto {
  @ApiProperty({ type: ErrorInfoDto }) error!: ErrorInfoDto;
}

export class CreatePredictionFormDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'JPEG, PNG, WebP, TIFF, GIF or BMP' })
  image!: unknown;
  @ApiPropertyOptional({ description: 'http(s) URL for prediction.succeeded / prediction.failed events' })
  webhook_url?: string;
  @ApiPropertyOptional({ description: 'JSON object, at most 4 KiB' }) metadata?: string;
  @ApiPropertyOptional({ enum: ['interactive', 'bulk'], default: 'interactive' }) priority?: string;
}
