import { Injectable } from '@nestjs/common';
import { Prediction, PredictionRepository, toPublicPrediction } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';

/** Reads a prediction: Redis while retained, then the durable S3 copy of the result. */
@Injectable()
export class PredictionReaderService {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly store: ObjectStore,
  ) {}

  async find(tenant: string, id: string): Promise<Prediction | null> {
    if (!/^prd_[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
    const record = await this.predictions.get(tenant, id);
    if (record) return toPublicPrediction(record);
    // The S3 key includes the tenant, so another tenant's id is simply not found here either.
    return this.store.getJson<Prediction>(objectKeys.result(tenant, id));
  }
}
