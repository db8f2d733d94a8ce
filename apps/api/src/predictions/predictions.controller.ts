import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
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
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Prediction, toPublicPrediction } from '@dermafleet/jobs';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { CreatePredictionFormDto, ErrorBodyDto, PredictionDto } from '../docs/prediction.dto';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import { receivedAt } from '../http/received-at';
import { apiStageSeconds } from '../metrics/api.metrics';
import { IdempotencyService } from './idempotency.service';
import { parseFields, predictionFieldsSchema } from './prediction-fields.schema';
import { PredictionIntakeService } from './prediction-intake.service';
import { PredictionReaderService } from './prediction-reader.service';
import { requestFingerprint } from './request-fingerprint';
import { checkUpload } from './upload-check';
import { clientGone } from './wait/client-gone.signal';
import { isFinal, PredictionWaitService } from './wait/prediction-wait.service';
import { parseWaitMs, waitQueryDoc } from './wait/wait-query.schema';

@ApiTags('predictions')
@ApiBearerAuth()
@Controller('v1/predictions')
export class PredictionsController {
  constructor(
    private readonly intake: PredictionIntakeService,
    private readonly reader: PredictionReaderService,
    private readonly idempotency: IdempotencyService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly waiter: PredictionWaitService,
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
  @ApiQuery({
    ...waitQueryDoc,
    description:
      'Seconds (0-30, fractions allowed) to hold the request for the final prediction: 200 with it when it ' +
      'ends in time, else 202 as without wait. Default 0.',
  })
  @ApiResponse({
    status: 202,
    type: PredictionDto,
    description: 'Accepted (or already succeeded when cached, without wait); poll the Location.',
  })
  @ApiResponse({
    status: 200,
    type: PredictionDto,
    description: 'Final within ?wait= (succeeded or failed); or an Idempotency-Key replay, as it stands.',
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
    @Query('wait') wait: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction> {
    const waitMs = parseWaitMs(wait);
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
    else apiStageSeconds.observe({ stage: 'upload' }, (performance.now() - receivedAt(res)) / 1000);
    res.setHeader('Location', `/v1/predictions/${record.id}`);
    const accepted = toPublicPrediction(record);
    if (waitMs <= 0) return accepted;
    // Stored: a request held for up to 30 s must not keep the image's bytes in memory meanwhile.
    file.buffer = Buffer.alloc(0);
    const now =
      (await this.waiter.awaitFinal(tenant, record.id, waitMs, clientGone(res), accepted)) ?? accepted;
    if (isFinal(now)) {
      res.status(200);
      if (created)
        apiStageSeconds.observe({ stage: 'end_to_end' }, (performance.now() - receivedAt(res)) / 1000);
    }
    return now;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Poll one prediction, or long-poll it with ?wait=' })
  @ApiQuery({
    ...waitQueryDoc,
    description:
      'Seconds (0-30, fractions allowed) to hold the request: it answers as soon as the prediction is final, ' +
      'or when the time is up with the prediction as it stands (200 both). Default 0.',
  })
  @ApiOkResponse({ type: PredictionDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async get(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Query('wait') wait: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction> {
    const waitMs = parseWaitMs(wait);
    const prediction =
      waitMs > 0
        ? await this.waiter.awaitFinal(tenant, id, waitMs, clientGone(res))
        : await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    return prediction;
  }
}
