import type { ModelDirectory } from './model-directory';
import { argmax, softmax } from './softmax';
import type { PreprocessMode } from '../preprocess/preprocess.types';

/** The contract's `result` object (CONTRACT.md "Prediction object"). */
export interface ClassificationResult {
  label: string;
  confidence: number;
  probabilities: Array<{ label: string; probability: number }>;
  model: { id: string; version: string };
  preprocessing: { mode: PreprocessMode; auto_orient: boolean };
  cached: boolean;
}

export interface PreprocessingSettings {
  mode: PreprocessMode;
  autoOrient: boolean;
}

/** Turns one image's logits into the contract's result: every class, in model index order. */
export function toClassification(
  logits: ArrayLike<number>,
  model: Pick<ModelDirectory, 'id' | 'version' | 'labels'>,
  preprocessing: PreprocessingSettings,
): ClassificationResult {
  const probs = softmax(logits);
  const best = argmax(probs);
  return {
    label: model.labels[best],
    confidence: probs[best],
    probabilities: probs.map((probability, i) => ({ label: model.labels[i], probability })),
    model: { id: model.id, version: model.version },
    preprocessing: { mode: preprocessing.mode, auto_orient: preprocessing.autoOrient },
    cached: false,
  };
}
