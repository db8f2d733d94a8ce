import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Prediction, toPublicPrediction } from '@dermafleet/jobs';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { CreatePredictionFormDto, ErrorBodyDto, PredictionDto } from '../docs/prediction.dto';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import { IdempotencyService } from './idempotency.service';
import { parseFields, predictionFieldsSchema } from './prediction-fields.schema';
import { PredictionIntakeService } from './prediction-intake.service';
import { PredictionReaderService } from './prediction-reader.service';
import { requestFingerprint } from './request-fingerprint';
import { checkUpload } from './upload-check';

@ApiTags('predictions')
@ApiBearerAuth()
@Controller('v1/predictions')
export class PredictionsController {
  constructor(
    private readonly intake: PredictionIntakeService,
    private readonly reader: PredictionReaderService,
    private readonly idempotency: IdempotencyService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @UseInterceptors(FileInterceptor('image'))
  @ApiOperation({ summary: 'Classify one image' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: CreatePredictionFormDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Same key and tenant within 24 h: an identical request (same image sha256 and fields) answers the first prediction and creates nothing, even if the first request never finished; a different request under the same key answers 422 idempotency_key_reused.',
  })
  @ApiResponse({
    status: 202,
    type: PredictionDto,
    description: 'Accepted (or already succeeded when cached); poll the Location.',
  })
  @ApiResponse({
    status: 200,
    type: PredictionDto,
    description: 'An Idempotency-Key replay: the first prediction as it stands.',
  })
  @ApiResponse({ status: 415, type: ErrorBodyDto, description: 'Not a supported image format.' })
  @ApiResponse({ status: 413, type: ErrorBodyDto, description: 'Too many bytes or pixels.' })
  @ApiResponse({
    status: 422,
    type: ErrorBodyDto,
    description: 'idempotency_key_reused: the Idempotency-Key was used with another image or other fields.',
  })
  @ApiResponse({
    status: 503,
    type: ErrorBodyDto,
    description: 'dependency_unavailable (Redis or S3), with Retry-After; retry with the same key.',
  })
  async create(
    @Tenant() tenant: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: Record<string, unknown>,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction> {
    if (idempotencyKey !== undefined) IdempotencyService.check(idempotencyKey);
    if (!file) throw ApiError.invalid('Send the image as a multipart/form-data file field named "image".');
    const fields = parseFields(predictionFieldsSchema, body);
    // Refused requests (400, 413, 415) are refused before the key is looked at: they reserve nothing.
    const image = checkUpload(file.buffer, this.config);
    const filename = file.originalname || null;
    const claim =
      idempotencyKey === undefined
        ? null
        : await this.idempotency.claim(
            'prd',
            tenant,
            idempotencyKey,
            requestFingerprint({
              sha256: image.sha256,
              filename,
              metadata: fields.metadata ?? {},
              webhook_url: fields.webhook_url ?? null,
              priority: fields.priority,
            }),
          );
    const { record, created } = await this.intake.accept({
      id: claim?.id,
      tenant,
      bytes: file.buffer,
      image,
      filename,
      metadata: fields.metadata ?? {},
      webhookUrl: fields.webhook_url ?? null,
      priority: fields.priority,
    });
    // An identical earlier request created it: 200 and the prediction as it stands now.
    if (!created) res.status(200);
    res.setHeader('Location', `/v1/predictions/${record.id}`);
    return toPublicPrediction(record);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Poll one prediction' })
  @ApiOkResponse({ type: PredictionDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async get(@Tenant() tenant: string, @Param('id') id: string): Promise<Prediction> {
    const prediction = await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    return prediction;
  }
}
