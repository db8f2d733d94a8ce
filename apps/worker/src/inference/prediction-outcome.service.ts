import { Injectable } from '@nestjs/common';
import {
  PredictionError,
  PredictionRecord,
  PredictionRepository,
  PredictionResult,
  toPublicPrediction,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';

/**
 * Writes a prediction's outcome: the durable JSON copy to S3 first, then the Redis record, so a
 * record that says `succeeded` always has its S3 copy (GET answers from it after retention).
 */
@Injectable()
export class PredictionOutcomeService {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly store: ObjectStore,
  ) {}

  async succeed(record: PredictionRecord, result: PredictionResult): Promise<boolean> {
    const completedAt = new Date();
    const final = { ...record, status: 'succeeded' as const, completed_at: completedAt.toISOString(), result };
    await this.store.putJson(objectKeys.result(record.tenant, record.id), toPublicPrediction(final));
    return this.predictions.markSucceeded(record.id, result, completedAt);
  }

  async fail(record: PredictionRecord, error: PredictionError): Promise<boolean> {
    const completedAt = new Date();
    const final = { ...record, status: 'failed' as const, completed_at: completedAt.toISOString(), error };
    await this.store.putJson(objectKeys.result(record.tenant, record.id), toPublicPrediction(final));
    return this.predictions.markFailed(record.id, error, completedAt);
  }
}
