import { Injectable } from '@nestjs/common';
import { ErasureRepository } from '@dermafleet/jobs';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../errors/api-error';

/** How long an intake waits for an erasure of the same image to finish, and how often it looks. */
const WAIT_MS = 10_000;
const POLL_MS = 100;

/** Ends a hold: called once the record exists (it uses the image now, see RELEASE) or on failure. */
export type ReleaseHold = () => Promise<void>;

export interface ImageHold {
  release: ReleaseHold;
  /**
   * A live record uses the image: it is nearly always stored, and stays while held (see
   * storedImage for the exception). False: no record uses it (the object may or may not be there).
   */
  referenced: boolean;
}

/**
 * Protects an image object between an intake's look at it (the hold's answer, a HEAD) or its PUT
 * and the record that uses it: the eraser deletes an image only when no hold is live
 * (BEGIN_ERASE). An image being deleted right now is waited for (then no record uses it, and the
 * intake stores it again); 503 when that takes too long. A crashed intake's hold expires
 * (HOLD_MS) and only delays an erasure.
 */
@Injectable()
export class ImageHoldService {
  constructor(private readonly erasure: ErasureRepository) {}

  async hold(tenant: string, sha256: string): Promise<ImageHold> {
    const token = randomBytes(12).toString('base64url');
    const held = await this.erasure.hold(tenant, sha256, token);
    let erasing = held.erasing;
    const deadline = Date.now() + WAIT_MS;
    while (erasing && Date.now() < deadline) {
      await sleep(POLL_MS);
      erasing = await this.erasure.isErasing(tenant, sha256);
    }
    const release: ReleaseHold = () => this.erasure.release(tenant, sha256, token).catch(() => undefined);
    if (erasing) {
      await release();
      throw new ApiError(
        503,
        'dependency_unavailable',
        'This image is being erased right now; send it again in a few seconds.',
        { 'Retry-After': '5' },
      );
    }
    return { release, referenced: held.referenced };
  }

  /**
   * Called by a holder just before it stores an image it did not find: if it dies before its
   * record uses the image, the reconciler deletes the object once the hold has expired.
   */
  beforeStoring(tenant: string, sha256: string): Promise<void> {
    return this.erasure.expectCounted(tenant, sha256);
  }
}
