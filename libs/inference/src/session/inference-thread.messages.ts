import type { PreprocessorSpec } from '../model/preprocessor-spec';
import type { SessionSettings } from './execution-providers';
import type { SessionShape } from './onnx-model-session';

export interface InferenceThreadData {
  onnxPath: string;
  settings: SessionSettings;
  numLabels: number;
  /** How prepared RGB inputs become model input ('run-rgb'); absent: only 'run'. */
  normalize?: Pick<PreprocessorSpec, 'doRescale' | 'rescaleFactor' | 'doNormalize' | 'mean' | 'std'>;
}

export type ToInferenceThread =
  | { type: 'run'; id: number; pixels: Float32Array; count: number; height: number; width: number }
  /** Prepared HWC RGB inputs, normalised and packed in the thread (the GPU tier's path). */
  | { type: 'run-rgb'; id: number; images: Uint8Array[]; height: number; width: number }
  | { type: 'close' };

export type FromInferenceThread =
  /**
   * `threadIds`: this thread and the ones onnxruntime started for the session (Linux TIDs; empty
   * elsewhere), so the process can keep them at a higher priority than everything else.
   */
  | { type: 'ready'; shape: SessionShape; threadIds: number[] }
  | { type: 'init-error'; name: string; message: string }
  /** `pixels` is the run's input, handed back (transferred) so the caller can reuse its memory. */
  /** `packMs`: normalising and packing prepared inputs in the thread ('run-rgb'), before the run. */
  | {
      type: 'result';
      id: number;
      logits: Float32Array;
      runMs: number;
      packMs?: number;
      pixels?: Float32Array;
    }
  | { type: 'error'; id: number; code: string; message: string; permanent: boolean }
  | { type: 'closed' };
