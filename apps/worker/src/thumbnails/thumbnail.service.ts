import { Inject, Injectable } from '@nestjs/common';
import { decodeRgb, InferenceError } from '@dermafleet/inference';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import sharp from 'sharp';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/** Long side of a viewer thumbnail: sharp enough for a grid cell, small enough for 100 a page. */
export const THUMBNAIL_LONG_SIDE = 256;

/**
 * Makes the viewer's thumbnail of a stored image once (content-addressed, so every prediction of
 * the same bytes shares it). Runs after inference, before the result is committed, so a
 * `succeeded` prediction has its thumbnail; an S3 error is thrown and retried like any other
 * transient failure of the job.
 *
 * It decodes with the model's own decoder (BMP, CMYK and 16-bit grey as the model saw them; no
 * EXIF rotation, like the model), so the thumbnail shows what was classified.
 */
@Injectable()
export class ThumbnailService {
  constructor(
    private readonly store: ObjectStore,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  /** False when the image cannot be decoded here (no thumbnail; the prediction is unaffected). */
  async ensure(tenant: string, sha256: string, bytes: Buffer): Promise<boolean> {
    const key = objectKeys.thumbnail(tenant, sha256);
    if (await this.store.head(key)) return true;
    let webp: Buffer;
    try {
      const { rgb, width, height } = await decodeRgb(bytes, {
        maxPixels: this.config.preprocessing.maxPixels,
      });
      webp = await sharp(rgb, { raw: { width, height, channels: 3 } })
        .resize(THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer();
    } catch (err) {
      // A permanently undecodable image already failed its prediction before we got here.
      if (err instanceof InferenceError && err.permanent) return false;
      throw err;
    }
    await this.store.put(key, webp, { contentType: 'image/webp' });
    return true;
  }
}
