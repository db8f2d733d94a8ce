import { OnnxGraphBuilder, OnnxGraphSpec, tensorValueInfo } from './onnx-graph.builder';
import { OnnxDataType } from './onnx-proto.schema';
import { VitArchitecture } from './demo-model.presets';
import { encoderLayer } from './vit-encoder-layer';
import { constantWeights, floatScalar, int64Constant, normalWeights } from './tensor-data';
import { layerNorm, VIT_INIT_STD, VitGraphContext } from './vit-graph.context';

export const VIT_INPUT_NAME = 'pixel_values';
export const VIT_OUTPUT_NAME = 'logits';

/**
 * The classifier's init std, in units of 1/sqrt(hidden). HF's 0.02 would give logits of std
 * ~0.02·sqrt(hidden) (0.16 for tiny): a near-uniform softmax whatever the image. 1.5/sqrt(hidden)
 * gives logits of std ~1.5 at every width, like the fixture model, so top-k and confidences
 * are informative in demos and tests.
 */
const CLASSIFIER_STD_TIMES_SQRT_HIDDEN = 1.5;

function sharedConstants(graph: OnnxGraphBuilder, arch: VitArchitecture): VitGraphContext['constants'] {
  const headDim = arch.hiddenSize / arch.numAttentionHeads;
  return {
    sqrt2: graph.initializer(floatScalar('/const/sqrt2', Math.SQRT2)),
    one: graph.initializer(floatScalar('/const/one', 1)),
    half: graph.initializer(floatScalar('/const/half', 0.5)),
    attentionScale: graph.initializer(floatScalar('/const/attention_scale', Math.sqrt(headDim))),
    // Reshape's 0 copies the input's dimension, which keeps batch and sequence length dynamic.
    splitHeadsShape: graph.initializer(
      int64Constant('/const/split_heads_shape', [0, 0, arch.numAttentionHeads, headDim]),
    ),
    mergeHeadsShape: graph.initializer(int64Constant('/const/merge_heads_shape', [0, 0, arch.hiddenSize])),
  };
}

/** Patch embedding, CLS token and position embeddings: [b, 3, H, W] -> [b, 1 + patches, hidden]. */
function embeddings(ctx: VitGraphContext): string {
  const { graph, arch, seed } = ctx;
  const { hiddenSize: hidden, patchSize: patch } = arch;
  const patchesPerSide = arch.imageSize / patch;
  const sequence = 1 + patchesPerSide * patchesPerSide;
  const at = '/vit/embeddings';
  const pe = 'vit.embeddings.patch_embeddings.projection';

  const weight = graph.initializer(
    normalWeights(`${pe}.weight`, [hidden, arch.numChannels, patch, patch], VIT_INIT_STD, seed),
  );
  const bias = graph.initializer(constantWeights(`${pe}.bias`, [hidden], 0));
  const conv = graph.node('Conv', `${at}/patch_embeddings/projection/Conv`, [VIT_INPUT_NAME, weight, bias], {
    dilations: { ints: [1, 1] },
    group: { int: 1 },
    kernel_shape: { ints: [patch, patch] },
    pads: { ints: [0, 0, 0, 0] },
    strides: { ints: [patch, patch] },
  });
  // [b, hidden, h, w] -> [b, hidden, h*w] -> [b, h*w, hidden]: one token per patch.
  const flatShape = graph.initializer(int64Constant('/const/flatten_patches_shape', [0, 0, -1]));
  const flat = graph.node('Reshape', `${at}/patch_embeddings/Reshape`, [conv, flatShape]);
  const tokens = graph.node('Transpose', `${at}/patch_embeddings/Transpose`, [flat], {
    perm: { ints: [0, 2, 1] },
  });

  // The CLS token [1, 1, hidden] expanded to [b, 1, hidden], b read from the input's shape.
  const cls = graph.initializer(
    normalWeights('vit.embeddings.cls_token', [1, 1, hidden], VIT_INIT_STD, seed),
  );
  const inputShape = graph.node('Shape', `${at}/Shape`, [VIT_INPUT_NAME]);
  const zero = graph.initializer(int64Constant('/const/slice_start_0', [0]));
  const one = graph.initializer(int64Constant('/const/slice_end_1', [1]));
  const batch = graph.node('Slice', `${at}/Slice`, [inputShape, zero, one]);
  const onesPair = graph.initializer(int64Constant('/const/ones_1x1', [1, 1]));
  const clsShape = graph.node('Concat', `${at}/Concat`, [batch, onesPair], { axis: { int: 0 } });
  const clsTokens = graph.node('Expand', `${at}/Expand`, [cls, clsShape]);

  const withCls = graph.node('Concat', `${at}/Concat_1`, [clsTokens, tokens], { axis: { int: 1 } });
  const position = graph.initializer(
    normalWeights('vit.embeddings.position_embeddings', [1, sequence, hidden], VIT_INIT_STD, seed),
  );
  return graph.node('Add', `${at}/Add`, [withCls, position]);
}

/** Final LayerNorm, the CLS token's row, then the linear classifier: -> [b, numLabels]. */
function classifierHead(ctx: VitGraphContext, encoded: string): string {
  const { graph, arch, seed } = ctx;
  const normed = layerNorm(ctx, encoded, 'vit.layernorm', '/vit/layernorm');
  const clsIndex = graph.initializer(int64Constant('/const/cls_index', [0], []));
  const clsRow = graph.node('Gather', '/Gather', [normed, clsIndex], { axis: { int: 1 } });
  const std = CLASSIFIER_STD_TIMES_SQRT_HIDDEN / Math.sqrt(arch.hiddenSize);
  // Gemm with transB, as torch exports nn.Linear on a 2-D input: weight kept [out, in].
  const weight = graph.initializer(
    normalWeights('classifier.weight', [arch.numLabels, arch.hiddenSize], std, seed),
  );
  const bias = graph.initializer(constantWeights('classifier.bias', [arch.numLabels], 0));
  return graph.node(
    'Gemm',
    '/classifier/Gemm',
    [clsRow, weight, bias],
    { alpha: { float: 1 }, beta: { float: 1 }, transB: { int: 1 } },
    VIT_OUTPUT_NAME,
  );
}

/**
 * A ViTForImageClassification graph as torch.onnx.export (opset 17) writes it, with seeded
 * random weights: input `pixel_values` float32 [batch, C, H, W], output `logits` [batch, labels].
 */
export function buildVitGraph(arch: VitArchitecture, seed: number): OnnxGraphSpec {
  if (arch.hiddenSize % arch.numAttentionHeads !== 0)
    throw new Error('hiddenSize must divide by numAttentionHeads');
  if (arch.imageSize % arch.patchSize !== 0) throw new Error('imageSize must divide by patchSize');
  const graph = new OnnxGraphBuilder();
  const ctx: VitGraphContext = { graph, arch, seed, constants: sharedConstants(graph, arch) };

  let hidden = embeddings(ctx);
  for (let layer = 0; layer < arch.numHiddenLayers; layer++) hidden = encoderLayer(ctx, hidden, layer);
  classifierHead(ctx, hidden);

  const size = arch.imageSize;
  return graph.build(
    'main_graph',
    [tensorValueInfo(VIT_INPUT_NAME, OnnxDataType.FLOAT, ['batch', arch.numChannels, size, size])],
    [tensorValueInfo(VIT_OUTPUT_NAME, OnnxDataType.FLOAT, ['batch', arch.numLabels])],
  );
}
