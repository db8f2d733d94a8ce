import { Body, Controller, Get, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { type Explanation, ExplanationRepository, explainJobOptions, QueueName } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { ApiError } from '../errors/api-error';
import { parseFields } from '../predictions/prediction-fields.schema';
import { PredictionReaderService } from '../predictions/prediction-reader.service';
import { recoverExplanation } from './explanation-recovery';
import { requestExplanationSchema } from './explanation.schema';

function toPublic(record: Explanation & { tenant?: string }): Explanation {
  const { tenant: _tenant, ...rest } = record;
  return rest;
}

/** Occlusion-sensitivity explanations of single predictions (docs/EXPLANATIONS.md). */
@Controller('v1/predictions')
export class ExplanationsController {
  constructor(
    private readonly reader: PredictionReaderService,
    private readonly explanations: ExplanationRepository,
    private readonly store: ObjectStore,
    @InjectQueue(QueueName.Inference) private readonly inference: Queue,
  ) {}

  @Post(':id/explanation')
  @HttpCode(202)
  async request(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<Explanation> {
    parseFields(requestExplanationSchema, body);
    const prediction = await this.reader.find(tenant, id);
    if (!prediction) throw ApiError.notFound('prediction');
    if (prediction.status !== 'succeeded')
      throw ApiError.invalid(
        `Only a succeeded prediction can be explained; this one is ${prediction.status}.`,
      );
    const status = await this.explanations.request(tenant, id);
    // The record first, then the job (a no-op while one with this id is alive). A crash between
    // them leaves a queued record without a job: reading it repairs that (explanation-recovery.ts).
    if (status === 'queued')
      await this.inference.add('explain', { predictionId: id, tenant }, explainJobOptions(id));
    return this.find(tenant, id);
  }

  @Get(':id/explanation')
  get(@Tenant() tenant: string, @Param('id') id: string): Promise<Explanation> {
    return this.find(tenant, id);
  }

  @Get(':id/explanation/overlay.png')
  async overlay(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    await this.find(tenant, id);
    const body = await this.store.getStream(objectKeys.explanationOverlay(tenant, id));
    if (!body) throw ApiError.notFound('explanation overlay');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(body, { type: 'image/png' });
  }

  private async find(tenant: string, id: string): Promise<Explanation> {
    if (!/^prd_[A-Za-z0-9_-]{16,64}$/.test(id)) throw ApiError.notFound('explanation');
    let record = await this.explanations.get(tenant, id);
    if (record && (await recoverExplanation(record, this.explanations, this.inference)))
      record = await this.explanations.get(tenant, id);
    if (!record) throw ApiError.notFound('explanation');
    return toPublic(record);
  }
}
