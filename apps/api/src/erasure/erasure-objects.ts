import { objectKeys } from '@dermafleet/storage';
import { ApiError } from '../errors/api-error';

/*
 * What erasure deletes in S3 besides images (shared per tenant, see the image reference sets),
 * and the answer while a worker holds what would be erased.
 */

/** Every S3 object of one prediction besides its (shared, counted) image. */
export function predictionObjects(tenant: string, id: string): string[] {
  return [
    objectKeys.result(tenant, id),
    objectKeys.modelInput(tenant, id),
    objectKeys.explanationMap(tenant, id),
    objectKeys.explanationOverlay(tenant, id),
    objectKeys.staging(tenant, id),
    objectKeys.verifying(tenant, id),
  ];
}

/** A batch's own S3 objects: its manifest (written at each completion). */
export function batchObjects(tenant: string, batchId: string): string[] {
  return [objectKeys.batchManifest(tenant, batchId)];
}

export function processing(what: string): ApiError {
  return new ApiError(
    409,
    'prediction_processing',
    `${what} is being processed by a worker right now; erase it once it has finished.`,
    { 'Retry-After': '5' },
  );
}
