import { Injectable } from '@nestjs/common';
import { InferenceError } from '@dermafleet/inference';
import { JobOf, JobPriority, PredictionRecord, PredictionRepository } from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import { Job } from 'bullmq';
import { decodeModelInput, type DecodedModelInput } from '../preprocess/model-input.codec';
import { failAttempt, isLastAttempt } from './attempt-failure';
import { startAttempt } from './attempt-start';
import type { ClassifyOutcome } from './classify.handler';
import { ModelRuntimeService } from './model-runtime.service';
import { PredictionOutcomeService } from './prediction-outcome.service';

/**
 * One `classify-prepared` job (GPU tier of the split pipeline): fetch the model input the
 * preprocessing tier stored, normalise it here (toPixelValues), classify it in a micro-batch,
 * write the outcome, then delete the input object. The result reports the preprocessing the
 * input was really made with (from the object's metadata).
 */
@Injectable()
export class ClassifyPreparedHandler {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly store: ObjectStore,
    private readonly runtime: ModelRuntimeService,
    private readonly outcome: PredictionOutcomeService,
  ) {}

  async handle(job: Job<JobOf<'inference', 'classify-prepared'>>): Promise<ClassifyOutcome> {
    const { inputKey } = job.data;
    const record = await startAttempt(job.data, this.predictions, this.outcome);
    if (!record) {
      await this.store.delete(inputKey); // an earlier attempt may have died before its clean-up
      return 'already-final';
    }
    try {
      await this.classify(record, await this.loadInput(inputKey));
    } catch (err) {
      if (isLastAttempt(job) || (err instanceof InferenceError && err.permanent)) {
        // The job reports its own error; an input left behind expires with the bucket's lifecycle rule.
        await this.store.delete(inputKey).catch(() => undefined);
      }
      return await failAttempt(err, job, record, this.outcome);
    }
    // Outside the try: once the outcome is written, a failed delete must not turn into a failure;
    // it is thrown, the job retried, and the retry (finding the prediction final) deletes again.
    await this.store.delete(inputKey);
    return 'succeeded';
  }

  private async loadInput(inputKey: string): Promise<DecodedModelInput> {
    const object = await this.store.getWithHead(inputKey);
    if (!object) {
      throw new InferenceError(
        'inference_failed',
        `The prepared model input ${inputKey} is not in storage.`,
        false,
      );
    }
    const input = decodeModelInput(object.bytes, object.head.metadata);
    const { width, height } = this.runtime.classifier.model.preprocessor;
    if (input.resized.width !== width || input.resized.height !== height) {
      throw new InferenceError(
        'inference_failed',
        `The prepared input is ${input.resized.width}x${input.resized.height} but this model takes ${width}x${height}: ` +
          'the preprocessing and GPU tiers run different models.',
        false,
      );
    }
    return input;
  }

  private async classify(record: PredictionRecord, input: DecodedModelInput): Promise<void> {
    const result = await this.runtime.classifier.classifyResized(input.resized, JobPriority[record.priority]);
    const { mode, autoOrient } = input.preprocessing;
    await this.outcome.succeed(record, { ...result, preprocessing: { mode, auto_orient: autoOrient } });
  }
}
