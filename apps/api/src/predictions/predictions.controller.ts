import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
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
import { ApiError } from '../errors/api-error';
import { receivedAt } from '../http/received-at';
import { apiStageSeconds } from '../metrics/api.metrics';
import { IdempotencyService } from './idempotency.service';
import { parseFields, predictionFieldsSchema } from './prediction-fields.schema';
import { PredictionIntakeService } from './prediction-intake.service';
import { PredictionReaderService } from './prediction-reader.service';
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
    description: 'Same key and tenant within 24 h: the first prediction, nothing new.',
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
  async create(
    @Tenant() tenant: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: Record<string, unknown>,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Query('wait') wait: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction> {
    const waitMs = parseWaitMs(wait);
    const claim = idempotencyKey === undefined ? null : await this.idempotency.claim(tenant, idempotencyKey);
    if (claim?.kind === 'replay') {
      const first = await this.awaitFirst(tenant, claim.predictionId);
      res.status(200).setHeader('Location', `/v1/predictions/${first.id}`);
      return (await this.waiter.awaitFinal(tenant, first.id, waitMs, clientGone(res), first)) ?? first;
    }
    try {
      if (!file) throw ApiError.invalid('Send the image as a multipart/form-data file field named "image".');
      const fields = parseFields(predictionFieldsSchema, body);
      const record = await this.intake.accept({
        id: claim?.predictionId,
        tenant,
        bytes: file.buffer,
        filename: file.originalname || null,
        metadata: fields.metadata ?? {},
        webhookUrl: fields.webhook_url ?? null,
        priority: fields.priority,
      });
      res.setHeader('Location', `/v1/predictions/${record.id}`);
      apiStageSeconds.observe({ stage: 'upload' }, (performance.now() - receivedAt(res)) / 1000);
      const accepted = toPublicPrediction(record);
      if (waitMs <= 0) return accepted;
      // Stored: a request held for up to 30 s must not keep the image's bytes in memory meanwhile.
      file.buffer = Buffer.alloc(0);
      const now =
        (await this.waiter.awaitFinal(tenant, record.id, waitMs, clientGone(res), accepted)) ?? accepted;
      if (isFinal(now)) {
        res.status(200);
        apiStageSeconds.observe({ stage: 'end_to_end' }, (performance.now() - receivedAt(res)) / 1000);
      }
      return now;
    } catch (err) {
      // A refused request created nothing, so its key must not stand for a prediction.
      await claim?.release();
      throw err;
    }
  }

  /** The first request with this key may still be storing its image: wait a little for its record. */
  private async awaitFirst(tenant: string, id: string): Promise<Prediction> {
    for (let waited = 0; waited <= 10_000; waited += 100) {
      const prediction = await this.reader.find(tenant, id);
      if (prediction) return prediction;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new ApiError(
      409,
      'invalid_request',
      'A request with this Idempotency-Key is still being processed; retry in a moment.',
    );
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
