/** Object key layout: images are content-addressed per tenant, results per prediction. */
export const objectKeys = {
  image: (tenant: string, sha256: string): string => `images/${tenant}/${sha256}`,
  result: (tenant: string, predictionId: string): string => `results/${tenant}/${predictionId}.json`,
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
