import { Injectable } from '@nestjs/common';
import type { ThumbnailRequest } from '@dermafleet/inference';
import { ObjectStore, objectKeys } from '@dermafleet/storage';

/**
 * The viewer's thumbnail: about 256 px on the long side (sharp enough for a grid cell, small
 * enough for 100 a page), WebP. The preprocessing thread makes it from the model input along
 * with the image's preprocessing (no second decode; it shows what was classified).
 */
export const THUMBNAIL: ThumbnailRequest = { longSide: 256, quality: 75 };

/**
 * Stores a thumbnail made by the preprocessing thread, content-addressed, so every prediction of
 * the same bytes shares it. Stored before the result is committed, so a `succeeded` prediction
 * has its thumbnail; an S3 error is thrown and retried like any other transient failure of the
 * job. A plain PUT (no HEAD first): the same image again is answered from the result cache before
 * it reaches a worker, so a HEAD would nearly always miss and cost a round trip each time.
 */
@Injectable()
export class ThumbnailService {
  constructor(private readonly store: ObjectStore) {}

  async save(tenant: string, sha256: string, webp: Uint8Array): Promise<void> {
    await this.store.put(objectKeys.thumbnail(tenant, sha256), webp, { contentType: 'image/webp' });
  }
}
