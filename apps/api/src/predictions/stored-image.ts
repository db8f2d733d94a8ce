import type { ObjectStore } from '@dermafleet/storage';

/**
 * Whether an intake (holding the image, see ImageHoldService) finds its image already stored.
 * An image no live record uses is taken as not stored, without asking S3: nearly every image of
 * an archive is new, and the HEAD was one S3 request in five of a new image's (and a 404, the
 * costliest kind for an S3 server to answer); should the object be there after all, the intake's
 * PUT writes the same bytes at their content address again. An image a record uses is nearly
 * always stored, but not always: a direct upload's record refers to its image before its client
 * has sent the bytes. So that case is asked of S3 (HEAD), as every intake did before.
 *
 * What this gives up: the intake writes its "delete unless counted" member (beforeStoring) for
 * an image that may have been stored already, used by predictions past their retention only. If
 * that intake then fails before its record exists, the image goes once its hold has expired, as
 * an erasure would take it: a prediction past the retention no longer holds its image (README,
 * "Shared images").
 */
export async function storedImage(
  store: ObjectStore,
  imageKey: string,
  referenced: boolean,
): Promise<boolean> {
  return referenced && (await store.head(imageKey)) !== null;
}
