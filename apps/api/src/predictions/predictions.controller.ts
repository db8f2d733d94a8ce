import { Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { Prediction, toPublicPrediction } from '@dermafleet/jobs';
import type { Request, Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import { BacklogGuard } from '../queue/backlog.guard';
import { IdempotencyService } from './idempotency.service';
import { parseFields, predictionFieldsSchema } from './prediction-fields.schema';
import { PredictionIntakeService } from './prediction-intake.service';
import { PredictionReaderService } from './prediction-reader.service';
import { readSingleUpload } from './single-upload.reader';

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
  @UseGuards(BacklogGuard)
  async create(
    @Tenant() tenant: string,
    @Req() req: Request,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction> {
    // Streamed: the image is spooled to disk as it arrives, never held whole in memory.
    const upload = await readSingleUpload(req, this.config.maxUploadBytes);
    try {
      const claim =
        idempotencyKey === undefined ? null : await this.idempotency.claim(tenant, idempotencyKey);
      if (claim?.kind === 'replay') {
        const first = await this.awaitFirst(tenant, claim.predictionId);
        res.status(200).setHeader('Location', `/v1/predictions/${first.id}`);
        return first;
      }
      try {
        const fields = parseFields(predictionFieldsSchema, upload.fields);
        const record = await this.intake.accept({
          id: claim?.predictionId,
          tenant,
          upload: upload.file,
          filename: upload.filename,
          metadata: fields.metadata ?? {},
          webhookUrl: fields.webhook_url ?? null,
          priority: fields.priority,
        });
        res.setHeader('Location', `/v1/predictions/${record.id}`);
        return toPublicPrediction(record);
      } catch (err) {
        // A refused request created nothing, so its key must not stand for a prediction.
        await claim?.release();
        throw err;
      }
    } finally {
      await upload.file.dispose();
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
  async get(@Tenant() tenant: string, @Param('id') id: string): Promise<Prediction> {
    const prediction = await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    return prediction;
  }
}
