/** The contract's explanation object (v3 "Viewer, explanations, operators"), plus what it explains. */
export interface Explanation {
  prediction_id: string;
  status: 'queued' | 'processing' | 'succeeded' | 'failed';
  method: 'occlusion';
  /** [rows, columns] of the map. */
  grid: [number, number];
  /** map[row][col]: drop of the explained class's probability with that patch occluded; null until succeeded. */
  map: number[][] | null;
  /** The explained class (the prediction's top label) and its unoccluded probability. */
  label: string | null;
  baseline_probability: number | null;
  /** The model that computed the map (the worker's, which may be newer than the prediction's). */
  model: { id: string; version: string } | null;
  /** What replaced each patch: `mean` = 0 in normalised space (the dataset mean colour). */
  fill: 'mean';
  /** A colour overlay PNG (same tenant check as the API); null until succeeded. */
  overlay_url: string | null;
  created_at: string;
  completed_at: string | null;
  error: { code: string; message: string } | null;
}

export const EXPLANATION_GRID = 12;
