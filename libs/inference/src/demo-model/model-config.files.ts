import { DEMO_MODEL_LABELS, VitArchitecture } from './demo-model.presets';
import { VIT_INIT_STD } from './vit-graph.context';

/** What makes a demo model recognisable as one (DESIGN.md: a demo result never passes for clinical). */
export interface DemoModelIdentity {
  nameOrPath: string;
  preset: string;
  seed: number;
  torchDtype: 'float32' | 'float16';
}

function sortedKeys(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * config.json as transformers writes it for ViTForImageClassification (keys sorted, indent 2,
 * trailing newline, as PretrainedConfig.to_json_string does), plus the dermafleet_demo markers.
 */
export function vitConfigJson(arch: VitArchitecture, identity: DemoModelIdentity): string {
  const id2label = Object.fromEntries(DEMO_MODEL_LABELS.map((label, index) => [String(index), label]));
  const label2id = Object.fromEntries(DEMO_MODEL_LABELS.map((label, index) => [label, index]));
  const config = sortedKeys({
    _name_or_path: identity.nameOrPath,
    architectures: ['ViTForImageClassification'],
    attention_probs_dropout_prob: 0.0,
    dermafleet_demo: true,
    dermafleet_demo_preset: identity.preset,
    dermafleet_demo_seed: identity.seed,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.0,
    hidden_size: arch.hiddenSize,
    id2label,
    image_size: arch.imageSize,
    initializer_range: VIT_INIT_STD,
    intermediate_size: arch.intermediateSize,
    label2id,
    layer_norm_eps: arch.layerNormEps,
    model_type: 'vit',
    num_attention_heads: arch.numAttentionHeads,
    num_channels: arch.numChannels,
    num_hidden_layers: arch.numHiddenLayers,
    patch_size: arch.patchSize,
    problem_type: 'single_label_classification',
    qkv_bias: true,
    torch_dtype: identity.torchDtype,
  });
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * preprocessor_config.json byte for byte as the reference fixture has it (ViTImageProcessor:
 * bilinear resize to the model's size, rescale 1/255, normalise with mean 0.5 and std 0.5).
 */
export function preprocessorConfigJson(arch: VitArchitecture): string {
  const config = {
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    image_processor_type: 'ViTImageProcessor',
    resample: 2,
    rescale_factor: 1 / 255,
    size: { height: arch.imageSize, width: arch.imageSize },
  };
  return JSON.stringify(config, null, 2);
}
