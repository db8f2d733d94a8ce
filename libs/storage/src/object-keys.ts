/** Object key layout: images are content-addressed per tenant, results per prediction. */
export const objectKeys = {
  image: (tenant: string, sha256: string): string => `images/${tenant}/${sha256}`,
  result: (tenant: string, predictionId: string): string => `results/${tenant}/${predictionId}.json`,
  /** The compact model input (resized RGB bytes) written by the preprocessing tier. */
  modelInput: (tenant: string, predictionId: string): string => `inputs/${tenant}/${predictionId}.rgb`,
};
