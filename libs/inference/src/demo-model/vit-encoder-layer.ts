import { layerNorm, linear, VitGraphContext } from './vit-graph.context';

/**
 * Multi-head self-attention as HF's ViTSelfAttention computes it: softmax(q·kᵀ / sqrt(d))·v per
 * head, heads merged, then the output projection. Returns the projection (before the residual).
 */
function selfAttention(ctx: VitGraphContext, input: string, module: string, prefix: string): string {
  const { graph, arch, constants } = ctx;
  const hidden = arch.hiddenSize;
  const project = (name: string) =>
    linear(
      ctx,
      input,
      `${module}.attention.${name}`,
      `${prefix}/attention/attention/${name}`,
      hidden,
      hidden,
    );
  const splitHeads = (value: string, name: string, perm: number[]) => {
    const reshaped = graph.node('Reshape', `${prefix}/attention/attention/Reshape_${name}`, [
      value,
      constants.splitHeadsShape,
    ]);
    return graph.node('Transpose', `${prefix}/attention/attention/Transpose_${name}`, [reshaped], {
      perm: { ints: perm },
    });
  };
  // [batch, seq, hidden] -> [batch, heads, seq, headDim]; keys go straight to [b, h, headDim, seq].
  const query = splitHeads(project('query'), 'query', [0, 2, 1, 3]);
  const keyT = splitHeads(project('key'), 'key', [0, 2, 3, 1]);
  const value = splitHeads(project('value'), 'value', [0, 2, 1, 3]);

  const at = `${prefix}/attention/attention`;
  const scores = graph.node('MatMul', `${at}/MatMul`, [query, keyT]);
  const scaled = graph.node('Div', `${at}/Div`, [scores, constants.attentionScale]);
  const probs = graph.node('Softmax', `${at}/Softmax`, [scaled], { axis: { int: -1 } });
  const context = graph.node('MatMul', `${at}/MatMul_1`, [probs, value]);
  const merged = graph.node('Transpose', `${at}/Transpose_merge`, [context], {
    perm: { ints: [0, 2, 1, 3] },
  });
  const flat = graph.node('Reshape', `${at}/Reshape_merge`, [merged, constants.mergeHeadsShape]);
  return linear(ctx, flat, `${module}.output.dense`, `${prefix}/attention/output/dense`, hidden, hidden);
}

/** GELU exactly as HF's "gelu" (erf form, not the tanh approximation): x * 0.5 * (1 + erf(x / √2)). */
function gelu(ctx: VitGraphContext, input: string, prefix: string): string {
  const { graph, constants } = ctx;
  const divided = graph.node('Div', `${prefix}/Div`, [input, constants.sqrt2]);
  const erf = graph.node('Erf', `${prefix}/Erf`, [divided]);
  const shifted = graph.node('Add', `${prefix}/Add_1`, [erf, constants.one]);
  const product = graph.node('Mul', `${prefix}/Mul`, [input, shifted]);
  return graph.node('Mul', `${prefix}/Mul_1`, [product, constants.half]);
}

/** One pre-norm ViT encoder block (HF ViTLayer): x + attn(LN(x)), then h + MLP(LN(h)). */
export function encoderLayer(ctx: VitGraphContext, input: string, index: number): string {
  const { graph, arch } = ctx;
  const module = `vit.encoder.layer.${index}`;
  const prefix = `/vit/layer.${index}`;

  const normed = layerNorm(ctx, input, `${module}.layernorm_before`, `${prefix}/layernorm_before`);
  const attention = selfAttention(ctx, normed, `${module}.attention`, prefix);
  const afterAttention = graph.node('Add', `${prefix}/Add`, [attention, input]);

  const normed2 = layerNorm(ctx, afterAttention, `${module}.layernorm_after`, `${prefix}/layernorm_after`);
  const hidden = arch.hiddenSize;
  const inter = arch.intermediateSize;
  const up = linear(
    ctx,
    normed2,
    `${module}.intermediate.dense`,
    `${prefix}/intermediate/dense`,
    hidden,
    inter,
  );
  const down = linear(
    ctx,
    gelu(ctx, up, prefix),
    `${module}.output.dense`,
    `${prefix}/output/dense`,
    inter,
    hidden,
  );
  return graph.node('Add', `${prefix}/Add_2`, [down, afterAttention]);
}
