/** The API objects the viewer reads (CONTRACT.md), as far as it uses them. */

export interface Probability {
  label: string;
  probability: number;
}

export interface Prediction {
  id: string;
  status: 'queued' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  created_at: string;
  completed_at: string | null;
  batch_id: string | null;
  filename: string | null;
  metadata: Record<string, unknown>;
  image: { sha256: string; bytes: number; width: number; height: number; format: string };
  result: {
    label: string;
    confidence: number;
    probabilities: Probability[];
    model: { id: string; version: string };
    preprocessing: { mode: string; auto_orient: boolean };
    cached: boolean;
  } | null;
  error: { code: string; message: string } | null;
}

export interface Batch {
  id: string;
  status: string;
  name: string | null;
  created_at: string;
  completed_at: string | null;
  counts: Record<string, number> & { total: number; succeeded: number; failed: number };
  /** Added by contract v3; shown when the API sends it. */
  model_versions?: string[];
}

export interface Explanation {
  status: 'queued' | 'processing' | 'succeeded' | 'failed';
  method: string;
  grid: [number, number];
  map: number[][] | null;
  label?: string | null;
  model?: { id: string; version: string } | null;
  overlay_url: string | null;
  error?: { code: string; message: string } | null;
}
