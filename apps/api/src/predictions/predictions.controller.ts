import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { Prediction, toPublicPrediction } from '@dermafleet/jobs';
import type { Request, Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import type { Observation } from '../fhir/fhir-r4.types';
import { isSucceeded, predictionObservation } from '../fhir/prediction-observation';
import { receivedAt } from '../http/received-at';
import { apiStageSeconds } from '../metrics/api.metrics';
import { BacklogGuard } from '../queue/backlog.guard';
import { webhookUrlProblem } from '../webhooks/ssrf/webhook-url.check';
import { IdempotencyService } from './idempotency.service';
import { parseFields, predictionFieldsSchema } from './prediction-fields.schema';
import { parsePredictionFormat } from './prediction-format.schema';
import { PredictionIntakeService } from './prediction-intake.service';
import { PredictionReaderService } from './prediction-reader.service';
import { requestFingerprint } from './request-fingerprint';
import { readSingleUpload, type SingleUpload } from './single-upload.reader';
import { checkSpooled } from './upload-check';
import { clientGone } from './wait/client-gone.signal';
import { isFinal, PredictionWaitService } from './wait/prediction-wait.service';
import { parseWaitMs } from './wait/wait-query.schema';

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
  @UseGuards(BacklogGuard)
  async create(
    @Tenant() tenant: string,
    @Req() req: Request,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Query('wait') wait: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction> {
    const waitMs = parseWaitMs(wait);
    if (idempotencyKey !== undefined) IdempotencyService.check(idempotencyKey);
    // Streamed: the image is spooled to disk as it arrives, never held whole in memory.
    const upload = await readSingleUpload(req, this.config.maxUploadBytes);
    let accepted: Prediction;
    let created: boolean;
    try {
      ({ accepted, created } = await this.accept(tenant, upload, idempotencyKey, res));
    } finally {
      // Before any wait: a request held for up to 30 s keeps no copy of the image meanwhile.
      await upload.file.dispose();
    }
    if (waitMs <= 0) return accepted;
    const now =
      (await this.waiter.awaitFinal(tenant, accepted.id, waitMs, clientGone(res), accepted)) ?? accepted;
    if (isFinal(now)) {
      res.status(200);
      if (created)
        apiStageSeconds.observe({ stage: 'end_to_end' }, (performance.now() - receivedAt(res)) / 1000);
    }
    return now;
  }

  private async accept(
    tenant: string,
    upload: SingleUpload,
    idempotencyKey: string | undefined,
    res: Response,
  ): Promise<{ accepted: Prediction; created: boolean }> {
    const fields = parseFields(predictionFieldsSchema, upload.fields);
    // The global WebhookUrlPipe sees only @Body() values; this body is read from the stream here.
    const webhookProblem = fields.webhook_url
      ? webhookUrlProblem(fields.webhook_url, this.config.webhooks.allowPrivate)
      : null;
    if (webhookProblem) throw ApiError.invalid(webhookProblem);
    // Refused requests (400, 413, 415) are refused before the key is looked at: they reserve nothing.
    const image = await checkSpooled(upload.file, this.config);
    const filename = upload.filename;
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
      idempotencyKey: claim?.key,
      tenant,
      upload: upload.file,
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
    return { accepted: toPublicPrediction(record), created };
  }

  @Get(':id')
  async get(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Query('wait') wait: unknown,
    @Query('format') formatQuery: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Prediction | Observation> {
    const waitMs = parseWaitMs(wait);
    const format = parsePredictionFormat(formatQuery);
    const prediction =
      waitMs > 0
        ? await this.waiter.awaitFinal(tenant, id, waitMs, clientGone(res))
        : await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    if (format === 'json') return prediction;
    // Only a result can be an Observation: a queued, processing or failed prediction has none.
    if (!isSucceeded(prediction))
      throw new ApiError(
        409,
        'prediction_not_succeeded',
        `Only a succeeded prediction has a FHIR Observation; this one is ${prediction.status}.`,
      );
    // Express's json() keeps a content type already set.
    res.setHeader('Content-Type', 'application/fhir+json; charset=utf-8');
    return predictionObservation(prediction);
  }
}
