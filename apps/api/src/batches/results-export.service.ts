import { Injectable } from '@nestjs/common';
import {
  type BatchItem,
  type BatchRecord,
  BatchRepository,
  type Prediction,
  toPublicPrediction,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import type { Response } from 'express';
import { once } from 'node:events';
import { CachedResultService } from '../predictions/cached-result.service';
import { type ResultsFormat, resultsWriters } from './results-formats';

/** Predictions read per round trip (LRANGE + pipelined HGETALL). */
const PAGE = 500;

/**
 * GET /v1/batches/{id}/results: every prediction of the batch so far, in creation order, paged
 * from the batch's item list and written with backpressure (the next page is read only when the
 * client has taken the last one), so memory stays flat for any batch size.
 */
@Injectable()
export class ResultsExportService {
  constructor(
    private readonly batches: BatchRepository,
    private readonly store: ObjectStore,
    private readonly cache: CachedResultService,
  ) {}

  async write(res: Response, batch: BatchRecord, format: ResultsFormat): Promise<void> {
    res.status(200);
    res.setHeader('X-Batch-Status', batch.status);
    res.setHeader('Cache-Control', 'no-store');
    const writer = resultsWriters[format];
    res.setHeader('Content-Type', writer.contentType);
    if (writer.attachmentExtension) {
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${batch.id}.${writer.attachmentExtension}"`,
      );
    }
    const labels = writer.needsLabels ? await this.labels(batch) : [];
    if (writer.header && !(await this.send(res, writer.header(labels)))) return;
    for (let start = 0; ; start += PAGE) {
      const items = await this.batches.itemsPage(batch.id, start, PAGE);
      if (!items.length) break;
      const predictions = await Promise.all(items.map((item) => this.prediction(batch.tenant, item)));
      let chunk = '';
      for (const p of predictions) {
        if (p) chunk += writer.line(p, labels);
      }
      if (!(await this.send(res, chunk))) return;
    }
    res.end();
  }

  /**
   * The CSV's class columns: the labels of the batch's first result (kept on the batch), else of
   * the model that produced the latest result anywhere (published at `model:current`), else none
   * (no result exists yet, so no column could hold a value).
   */
  private async labels(batch: BatchRecord): Promise<string[]> {
    return batch.labels ?? (await this.cache.currentModel())?.labels ?? [];
  }

  /** The record while Redis retains it, then the durable S3 copy of a finished one. */
  private async prediction(tenant: string, item: BatchItem): Promise<Prediction | null> {
    if (item.record) return toPublicPrediction(item.record);
    return this.store.getJson<Prediction>(objectKeys.result(tenant, item.id));
  }

  /** False when the client went away (stop reading). */
  private async send(res: Response, chunk: string): Promise<boolean> {
    if (res.destroyed) return false;
    if (chunk && !res.write(chunk)) {
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    return !res.destroyed;
  }
}
