/**
 * Object key layout: images are content-addressed per tenant, results per prediction. Only the
 * API writes `images/`, and only bytes whose sha256 it has checked (DESIGN.md: "written only after
 * verification"); presigned URLs point at `staging/`, and verification reads a copy under
 * `verifying/` that no URL can reach, so a PUT racing the check cannot slip in unchecked bytes.
 */
export const objectKeys = {
  image: (tenant: string, sha256: string): string => `images/${tenant}/${sha256}`,
  /** Where a presigned PUT for one prediction lands (the client can overwrite it until it expires). */
  staging: (tenant: string, predictionId: string): string => `staging/${tenant}/${predictionId}`,
  /** The API's private snapshot of a staging object while it is hashed. */
  verifying: (tenant: string, predictionId: string): string => `verifying/${tenant}/${predictionId}`,
  result: (tenant: string, predictionId: string): string => `results/${tenant}/${predictionId}.json`,
  /**
   * A completed batch and the ids of its predictions (BatchManifest), rewritten at each completion:
   * what lets DELETE find a batch's predictions once its Redis keys have expired with the retention.
   */
  batchManifest: (tenant: string, batchId: string): string => `batches/${tenant}/${batchId}.json`,
  /** The compact model input (resized RGB bytes) written by the preprocessing tier. */
  modelInput: (tenant: string, predictionId: string): string => `inputs/${tenant}/${predictionId}.rgb`,
  /** The viewer's WebP thumbnail, beside its image (one per stored image, not per prediction). */
  thumbnail: (tenant: string, sha256: string): string => `images/${tenant}/${sha256}.thumb.webp`,
  /** An occlusion map (JSON) and its colour overlay (PNG) of one prediction. */
  explanationMap: (tenant: string, predictionId: string): string =>
    `explanations/${tenant}/${predictionId}.json`,
  explanationOverlay: (tenant: string, predictionId: string): string =>
    `explanations/${tenant}/${predictionId}.png`,
};
