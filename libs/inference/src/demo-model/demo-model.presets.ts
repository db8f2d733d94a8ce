/** The model card's 12 classes, in the model's output index order. */
export const DEMO_MODEL_LABELS = [
  'actinic keratosis',
  'basal cell carcinoma',
  'clear skin',
  'dermatofibroma',
  'melanoma',
  'melanoma metastasis',
  'nevus',
  'random',
  'seborrheic keratosis',
  'solar lentigo',
  'squamous cell carcinoma',
  'vascular lesion',
] as const;

export type DemoModelPreset = 'tiny' | 'base' | 'large';

export const DEMO_MODEL_PRESET_NAMES: readonly DemoModelPreset[] = ['tiny', 'base', 'large'];

/** A ViT's shape, in Hugging Face ViTConfig's terms (camelCased). */
export interface VitArchitecture {
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  patchSize: number;
  imageSize: number;
  numChannels: number;
  numLabels: number;
  layerNormEps: number;
}

// Every preset shares the real model's input and output: 384x384 RGB in, 12 logits out. Only
// the width and depth differ, so a demo model exercises the same code paths at any cost.
const shared = {
  patchSize: 32,
  imageSize: 384,
  numChannels: 3,
  numLabels: DEMO_MODEL_LABELS.length,
  layerNormEps: 1e-12,
} as const;

export const DEMO_MODEL_PRESETS: Readonly<Record<DemoModelPreset, VitArchitecture>> = {
  /** The fixture model's shape: about 0.3M parameters (1.1 MB), fast enough for unit tests. */
  tiny: { ...shared, hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 128 },
  /** ViT-B/32: about 88M parameters, ~350 MB. */
  base: { ...shared, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072 },
  /** ViT-L/32: about 306M parameters, ~1.2 GB. */
  large: { ...shared, hiddenSize: 1024, numHiddenLayers: 24, numAttentionHeads: 16, intermediateSize: 4096 },
};

export function isDemoModelPreset(value: string): value is DemoModelPreset {
  return (DEMO_MODEL_PRESET_NAMES as readonly string[]).includes(value);
}
