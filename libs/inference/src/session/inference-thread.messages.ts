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
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; logits: Float32Array; runMs: number }
  | { type: 'error'; id: number; code: string; message: string; permanent: boolean }
  | { type: 'closed' };
