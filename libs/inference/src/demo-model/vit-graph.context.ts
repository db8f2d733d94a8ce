import { OnnxGraphBuilder } from './onnx-graph.builder';
import { VitArchitecture } from './demo-model.presets';
import { constantWeights, normalWeights } from './tensor-data';

/** HF ViTConfig.initializer_range: the std of every weight matrix and embedding at init. */
export const VIT_INIT_STD = 0.02;

/** What every part of the ViT graph needs: the builder, the shape, the seed, shared constants. */
export interface VitGraphContext {
  graph: OnnxGraphBuilder;
  arch: VitArchitecture;
  seed: number;
  /** Names of constants shared by all layers (created once, in vit-graph.builder.ts). */
  constants: {
    sqrt2: string;
    one: string;
    half: string;
    attentionScale: string;
    splitHeadsShape: string;
    mergeHeadsShape: string;
  };
}

/**
 * A Linear layer as torch.onnx.export lowers it: MatMul by the weight stored transposed,
 * [in, out], then Add of the bias. Weights N(0, 0.02²) and bias 0, as HF initialises Linear.
 */
export function linear(
  ctx: VitGraphContext,
  input: string,
  module: string,
  nodePrefix: string,
  inFeatures: number,
  outFeatures: number,
): string {
  const weight = ctx.graph.initializer(
    normalWeights(`${module}.weight`, [inFeatures, outFeatures], VIT_INIT_STD, ctx.seed),
  );
  const bias = ctx.graph.initializer(constantWeights(`${module}.bias`, [outFeatures], 0));
  const product = ctx.graph.node('MatMul', `${nodePrefix}/MatMul`, [input, weight]);
  return ctx.graph.node('Add', `${nodePrefix}/Add`, [bias, product]);
}

/** LayerNormalization (opset 17) over the hidden axis, gain 1 and bias 0 as HF initialises it. */
export function layerNorm(ctx: VitGraphContext, input: string, module: string, nodePrefix: string): string {
  const size = ctx.arch.hiddenSize;
  const weight = ctx.graph.initializer(constantWeights(`${module}.weight`, [size], 1));
  const bias = ctx.graph.initializer(constantWeights(`${module}.bias`, [size], 0));
  return ctx.graph.node('LayerNormalization', `${nodePrefix}/LayerNormalization`, [input, weight, bias], {
    axis: { int: -1 },
    epsilon: { float: ctx.arch.layerNormEps },
  });
}
