import type { SessionSettings } from './execution-providers';
import type { SessionShape } from './onnx-model-session';

export interface InferenceThreadData {
  onnxPath: string;
  settings: SessionSettings;
  numLabels: number;
}

export type ToInferenceThread =
  | { type: 'run'; id: number; pixels: Float32Array; count: number; height: number; width: number }
  | { type: 'close' };

export type FromInferenceThread =
  | { type: 'ready'; shape: SessionShape }
  | { type: 'init-error'; name: string; message: string }
  /** `pixels` is the run's input, handed back (transferred) so the caller can reuse its memory. */
  | { type: 'result'; id: number; logits: Float32Array; runMs: number; pixels: Float32Array }
  | { type: 'error'; id: number; code: string; message: string; permanent: boolean }
  | { type: 'closed' };
