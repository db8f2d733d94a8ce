import { Injectable } from '@nestjs/common';
import {
  BatchRepository,
  type Prediction,
  type PredictionRecord,
  PredictionRepository,
  toPublicPrediction,
} from '@dermafleet/jobs';
import { ApiError } from '../errors/api-error';
import { ConfidenceIndex } from './confidence-index';
import type { ListPredictionsQuery } from './list-predictions.schema';
import { decodeListingCursor, encodeListingCursor } from './listing-cursor';
import { matchesFilter, type PredictionFilter } from './prediction-filter';

/** Items examined per round trip to Redis. */
const CHUNK = 250;
/**
 * Items one request examines at most: a rare filter answers a short (even empty) page with a
 * next_cursor instead of holding the request while it scans 100,000 records.
 */
const SCAN_BUDGET = 5000;

export interface PredictionPage {
  predictions: Prediction[];
  next_cursor: string | null;
}

/** One page of a batch's predictions, filtered, in creation or confidence order. */
@Injectable()
export class BatchPredictionsService {
  constructor(
    private readonly batches: BatchRepository,
    private readonly predictions: PredictionRepository,
    private readonly byConfidence: ConfidenceIndex,
  ) {}

  async list(tenant: string, batchId: string, query: ListPredictionsQuery): Promise<PredictionPage> {
    const batch = await this.batches.get(tenant, batchId);
    if (!batch) throw ApiError.notFound('batch');
    const filter: PredictionFilter = {
      status: query.status,
      label: query.label,
      marks: query.mark,
      lowMargin: query.margin,
      text: query.q?.trim() || undefined,
    };
    let position = query.cursor ? decodeListingCursor(query.cursor, query.order) : 0;
    const found: Prediction[] = [];
    let scanned = 0;
    let exhausted = false;
    while (found.length < query.limit && scanned < SCAN_BUDGET) {
      const records =
        query.order === 'confidence'
          ? await this.confidencePage(batch, position, CHUNK, tenant)
          : await this.creationPage(batchId, position, CHUNK);
      if (!records.length) {
        exhausted = true;
        break;
      }
      let used = 0;
      for (const record of records) {
        used += 1;
        const prediction = record && toPublicPrediction(record);
        if (prediction && matchesFilter(prediction, filter)) found.push(prediction);
        if (found.length === query.limit) break;
      }
      position += used;
      scanned += used;
      // A short chunk read to its end is the end of the batch (so far).
      if (records.length < CHUNK && used === records.length) exhausted = true;
    }
    return { predictions: found, next_cursor: exhausted ? null : encodeListingCursor(query.order, position) };
  }

  /** Records at positions [start, start + count) of the item list; null for an expired one. */
  private async creationPage(
    batchId: string,
    start: number,
    count: number,
  ): Promise<(PredictionRecord | null)[]> {
    return (await this.batches.itemsPage(batchId, start, count)).map((item) => item.record);
  }

  private async confidencePage(
    batch: Parameters<ConfidenceIndex['range']>[0],
    start: number,
    count: number,
    tenant: string,
  ): Promise<(PredictionRecord | null)[]> {
    const ids = await this.byConfidence.range(batch, start, count);
    return Promise.all(ids.map((id) => this.predictions.get(tenant, id)));
  }
}
