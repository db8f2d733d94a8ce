import { Injectable } from '@nestjs/common';
import { Prediction, PredictionRepository, toPublicPrediction } from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import { readPredictionCopy } from './prediction-copy';

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
    return readPredictionCopy(this.store, tenant, id);
  }
}
