import { Inject, Injectable, Logger } from '@nestjs/common';
import { imageThumbnail, InferenceError, type ThumbnailRequest } from '@dermafleet/inference';
import type { Prediction } from '@dermafleet/jobs';
import { ObjectStore, objectKeys, readVerified } from '@dermafleet/storage';
import pLimit from 'p-limit';
import type { Readable } from 'node:stream';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import { ImageHoldService } from '../erasure/image-hold.service';

/**
 * The viewer's thumbnail: 256 px on the long side (sharp enough for a grid cell, small enough
 * for 100 a page), WebP.
 */
export const THUMBNAIL: ThumbnailRequest = { longSide: 256, quality: 75 };

/**
 * Thumbnails made at once by this process. Each holds its image's bytes and decodes them in full
 * (a 12 MP photo is 36 MB of pixels, in libuv's threads), so a page of 100 new thumbnails queues
 * here, before anything is read, instead of holding 100 images and their decodes.
 */
const MAKING_AT_ONCE = 2;

/**
 * Makings allowed to wait for those places (two pages of the grid). Each holds its request and
 * record; beyond this a request answers 503 queue_full with Retry-After (the viewer asks again),
 * so a flood of thumbnail requests costs this process a bounded queue, not memory without end.
 */
export const MAKING_WAITING_MAX = 200;

/** Seconds a refused thumbnail request is told to wait: about what two makings take. */
const RETRY_AFTER_S = '2';

/**
 * BMP and DICOM are decoded whole by our own decoders (libvips reads neither): beyond this many
 * pixels (75 MB of RGB) such an image gets no thumbnail rather than a spike in the API's memory.
 */
const WHOLE_DECODE_MAX_PIXELS = 25_000_000;

/**
 * A prediction's thumbnail, made the first time the viewer asks for it and stored
 * content-addressed beside its image (`images/<tenant>/<sha256>.thumb.webp`), so every prediction
 * of the same bytes shares it. Workers no longer make one per image: most images of a bulk
 * archive are never looked at, and a GPU pod's CPU is what limits it.
 * Only a succeeded prediction's: its worker decoded the image within the pixel limit, and its
 * result says whether EXIF orientation was applied (the thumbnail, shared by every prediction of
 * the same bytes, is made once and kept).
 * Erasure: the image is held (ImageHoldService) from before it is read until after the thumbnail
 * is stored, so an eraser waits for us and then deletes both; an image no live record uses
 * (erased, or past its retention) gets no thumbnail, which would outlive it.
 */
@Injectable()
export class ThumbnailMaker {
  private readonly making = new Map<string, Promise<Uint8Array | null>>();
  private readonly limit = pLimit(MAKING_AT_ONCE);
  private readonly logger = new Logger('Thumbnails');

  constructor(
    private readonly store: ObjectStore,
    private readonly holds: ImageHoldService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The stored thumbnail, or one made now; null when there is none to make (see above). */
  async thumbnail(tenant: string, prediction: Prediction): Promise<Readable | Uint8Array | null> {
    const key = objectKeys.thumbnail(tenant, prediction.image.sha256);
    const stored = await this.store.getStream(key);
    if (stored) return stored;
    if (prediction.status !== 'succeeded' || !prediction.result) return null;
    // One making per thumbnail in this process: a grid asking twice waits for the first.
    let made = this.making.get(key);
    if (!made) {
      // Both counts: p-limit moves a making from waiting to running a few microtasks later.
      if (this.limit.activeCount + this.limit.pendingCount >= MAKING_AT_ONCE + MAKING_WAITING_MAX) {
        throw new ApiError(
          503,
          'queue_full',
          `This API process has ${this.limit.pendingCount} thumbnails waiting to be made; ask again in a few seconds.`,
          { 'Retry-After': RETRY_AFTER_S },
        );
      }
      made = this.limit(() => this.make(tenant, prediction, key)).finally(() => this.making.delete(key));
      this.making.set(key, made);
    }
    return await made;
  }

  private async make(tenant: string, prediction: Prediction, key: string): Promise<Uint8Array | null> {
    const { image } = prediction;
    const hold = await this.holds.hold(tenant, image.sha256);
    try {
      if (!hold.referenced) return null;
      const read = await readVerified(this.store, objectKeys.image(tenant, image.sha256), image);
      if (read.kind !== 'ok') {
        // A missing image was erased after our look; other bytes than recorded are worth a word.
        if (read.kind === 'mismatch') this.logger.warn(`No thumbnail for ${prediction.id}: ${read.message}`);
        return null;
      }
      const webp = await imageThumbnail(read.bytes, THUMBNAIL, {
        autoOrient: prediction.result!.preprocessing.auto_orient,
        maxPixels: this.config.maxImagePixels,
        maxWholeDecodePixels: WHOLE_DECODE_MAX_PIXELS,
      });
      await this.store.put(key, webp, { contentType: 'image/webp' });
      return webp;
    } catch (err) {
      // An image that does not decode, or is too large to decode here, has no thumbnail.
      if (err instanceof InferenceError && err.permanent) return null;
      throw err;
    } finally {
      await hold.release();
    }
  }
}
