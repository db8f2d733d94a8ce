import { Injectable } from '@nestjs/common';
import { occlusionMap } from '@dermafleet/inference';
import {
  EXPLANATION_GRID,
  ExplanationRepository,
  JobOf,
  JobPriority,
  PredictionRepository,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys, readVerified } from '@dermafleet/storage';
import { Job, UnrecoverableError } from 'bullmq';
import { isLastAttempt } from '../inference/attempt-failure';
import { ModelRuntimeService } from '../inference/model-runtime.service';
import { overlayPng } from './overlay';

export type ExplainOutcome = 'explained' | 'already-final';

/**
 * One `explain` job: the occlusion map of a succeeded prediction's image (docs/EXPLANATIONS.md),
 * its 145 model runs going through the worker's ordinary micro-batcher at bulk priority, so
 * interactive predictions overtake it. Map JSON and overlay PNG go to S3 before the record says
 * `succeeded`. Transient errors are retried; the last attempt (or a permanent one) marks it failed.
 */
@Injectable()
export class ExplainHandler {
  constructor(
    private readonly explanations: ExplanationRepository,
    private readonly predictions: PredictionRepository,
    private readonly store: ObjectStore,
    private readonly runtime: ModelRuntimeService,
  ) {}

  async handle(job: Job<JobOf<'inference', 'explain'>>): Promise<ExplainOutcome> {
    const { tenant, predictionId } = job.data;
    const current = await this.explanations.get(tenant, predictionId);
    if (!current || current.status === 'succeeded') return 'already-final';
    try {
      const prediction = await this.predictions.get(tenant, predictionId);
      if (!prediction?.result) throw new UnrecoverableError('The prediction has no result to explain.');
      // The bytes the prediction's record names, re-checked like a classify job's (DESIGN.md).
      const read = await readVerified(this.store, prediction.imageKey, prediction.image);
      if (read.kind === 'missing') throw new UnrecoverableError('The image is no longer in storage.');
      if (read.kind !== 'ok') throw new UnrecoverableError(read.message);
      const bytes = read.bytes;
      // Erased since this job was taken: write nothing (no objects after the erasure's passes).
      if (!(await this.explanations.markProcessing(predictionId))) return 'already-final';
      const classifier = this.runtime.classifier;
      const { height, width } = classifier.model.preprocessor;
      const pixels = await classifier.preprocess(bytes);
      const result = await occlusionMap(pixels, (p) => classifier.classifyPixels(p, JobPriority.bulk), {
        grid: EXPLANATION_GRID,
        height,
        width,
        inFlight: 2 * classifier.settings.batch.maxSize,
      });
      const explained = {
        map: result.map,
        label: result.label,
        baseline: result.baseline,
        model: { id: classifier.model.id, version: classifier.model.version },
      };
      await this.store.putJson(objectKeys.explanationMap(tenant, predictionId), {
        method: 'occlusion',
        fill: 'mean',
        ...explained,
      });
      await this.store.put(
        objectKeys.explanationOverlay(tenant, predictionId),
        await overlayPng(result.map, 384),
        {
          contentType: 'image/png',
        },
      );
      await this.explanations.markSucceeded(predictionId, explained);
      return 'explained';
    } catch (err) {
      const permanent =
        err instanceof UnrecoverableError || (err as { permanent?: boolean }).permanent === true;
      if (permanent || isLastAttempt(job)) {
        await this.explanations.markFailed(predictionId, {
          code: 'explanation_failed',
          message: (err as Error).message,
        });
      }
      throw permanent && !(err instanceof UnrecoverableError)
        ? new UnrecoverableError((err as Error).message)
        : err;
    }
  }
}
