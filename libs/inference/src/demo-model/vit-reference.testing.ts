import { readFileSync } from 'node:fs';
import { VitArchitecture } from './demo-model.presets';
import { onnxTypes } from './onnx-proto.schema';

/**
 * Test helper: an independent, plain-TypeScript ViT forward pass (HF ViTForImageClassification's
 * maths written out loop by loop), to prove the ONNX graph computes a ViT and not merely
 * something of the right shape. Slow; use it with the tiny preset only.
 */

interface DecodedTensor {
  name: string;
  raw_data?: Uint8Array;
}

/** The float32 initialisers of a model.onnx, by name. */
export function readOnnxWeights(onnxPath: string): Map<string, Float32Array> {
  const model = onnxTypes.ModelProto.decode(readFileSync(onnxPath)) as unknown as {
    graph: { initializer: DecodedTensor[] };
  };
  const weights = new Map<string, Float32Array>();
  for (const tensor of model.graph.initializer) {
    const raw = tensor.raw_data ?? new Uint8Array(0);
    // Copy into a fresh buffer: protobufjs hands out Buffers that are views into a shared pool,
    // at offsets that need not be multiples of 4 (and Buffer#slice would not copy).
    const copy = new Uint8Array(raw);
    weights.set(tensor.name, new Float32Array(copy.buffer, 0, copy.byteLength >> 2));
  }
  return weights;
}

function weight(w: Map<string, Float32Array>, name: string): Float32Array {
  const value = w.get(name);
  if (!value) throw new Error(`model.onnx has no initializer ${name}`);
  return value;
}

/** y[rows, out] = x[rows, in] · w[in, out] + b, the graph's MatMul + Add. */
function linear(x: Float32Array, rows: number, w: Float32Array, b: Float32Array): Float32Array {
  const outF = b.length;
  const inF = w.length / outF;
  const y = new Float32Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let sum = b[o];
      for (let i = 0; i < inF; i++) sum += x[r * inF + i] * w[i * outF + o];
      y[r * outF + o] = sum;
    }
  }
  return y;
}

function layerNorm(
  x: Float32Array,
  dim: number,
  g: Float32Array,
  b: Float32Array,
  eps: number,
): Float32Array {
  const y = new Float32Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    const row = x.subarray(r * dim, (r + 1) * dim);
    const mean = row.reduce((s, v) => s + v, 0) / dim;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / dim;
    for (let i = 0; i < dim; i++)
      y[r * dim + i] = ((row[i] - mean) / Math.sqrt(variance + eps)) * g[i] + b[i];
  }
  return y;
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): JavaScript has no Math.erf. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(x) * (1 - poly * Math.exp(-x * x));
}

function attention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  seq: number,
  arch: VitArchitecture,
): Float32Array {
  const hidden = arch.hiddenSize;
  const d = hidden / arch.numAttentionHeads;
  const out = new Float32Array(seq * hidden);
  const scores = new Float64Array(seq);
  for (let h = 0; h < arch.numAttentionHeads; h++) {
    for (let i = 0; i < seq; i++) {
      for (let j = 0; j < seq; j++) {
        let dot = 0;
        for (let t = 0; t < d; t++) dot += q[i * hidden + h * d + t] * k[j * hidden + h * d + t];
        scores[j] = dot / Math.sqrt(d);
      }
      const max = Math.max(...scores);
      let total = 0;
      for (let j = 0; j < seq; j++) total += scores[j] = Math.exp(scores[j] - max);
      for (let t = 0; t < d; t++) {
        let sum = 0;
        for (let j = 0; j < seq; j++) sum += (scores[j] / total) * v[j * hidden + h * d + t];
        out[i * hidden + h * d + t] = sum;
      }
    }
  }
  return out;
}

/** Patch embedding + CLS + positions for one [C, H, W] image: [1 + patches, hidden]. */
function embed(w: Map<string, Float32Array>, arch: VitArchitecture, image: Float32Array): Float32Array {
  const { hiddenSize: hidden, patchSize: p, imageSize: size, numChannels: channels } = arch;
  const side = size / p;
  const kernel = weight(w, 'vit.embeddings.patch_embeddings.projection.weight');
  const bias = weight(w, 'vit.embeddings.patch_embeddings.projection.bias');
  const x = new Float32Array((1 + side * side) * hidden);
  x.set(weight(w, 'vit.embeddings.cls_token'));
  for (let py = 0; py < side; py++) {
    for (let px = 0; px < side; px++) {
      for (let o = 0; o < hidden; o++) {
        let sum = bias[o];
        for (let c = 0; c < channels; c++)
          for (let ky = 0; ky < p; ky++)
            for (let kx = 0; kx < p; kx++)
              sum +=
                kernel[((o * channels + c) * p + ky) * p + kx] *
                image[(c * size + py * p + ky) * size + px * p + kx];
        x[(1 + py * side + px) * hidden + o] = sum;
      }
    }
  }
  const position = weight(w, 'vit.embeddings.position_embeddings');
  return x.map((value, i) => value + position[i]);
}

/** Logits [numLabels] for one image [C, H, W], computed without ONNX Runtime. */
export function referenceVitLogits(
  w: Map<string, Float32Array>,
  arch: VitArchitecture,
  image: Float32Array,
): Float32Array {
  const hidden = arch.hiddenSize;
  const eps = arch.layerNormEps;
  const get = (name: string) => weight(w, name);
  let x = embed(w, arch, image);
  const seq = x.length / hidden;
  for (let layer = 0; layer < arch.numHiddenLayers; layer++) {
    const m = `vit.encoder.layer.${layer}`;
    const lin = (input: Float32Array, module: string) =>
      linear(input, seq, get(`${m}.${module}.weight`), get(`${m}.${module}.bias`));
    const n1 = layerNorm(
      x,
      hidden,
      get(`${m}.layernorm_before.weight`),
      get(`${m}.layernorm_before.bias`),
      eps,
    );
    const a = attention(
      lin(n1, 'attention.attention.query'),
      lin(n1, 'attention.attention.key'),
      lin(n1, 'attention.attention.value'),
      seq,
      arch,
    );
    const h = lin(a, 'attention.output.dense').map((value, i) => value + x[i]);
    const n2 = layerNorm(
      h,
      hidden,
      get(`${m}.layernorm_after.weight`),
      get(`${m}.layernorm_after.bias`),
      eps,
    );
    const up = lin(n2, 'intermediate.dense').map((value) => 0.5 * value * (1 + erf(value / Math.SQRT2)));
    x = lin(up, 'output.dense').map((value, i) => value + h[i]);
  }
  const cls = layerNorm(
    x.subarray(0, hidden),
    hidden,
    get('vit.layernorm.weight'),
    get('vit.layernorm.bias'),
    eps,
  );
  // classifier.weight is [labels, hidden] (Gemm transB), so transpose it for linear().
  const head = get('classifier.weight');
  const headT = new Float32Array(head.length);
  for (let o = 0; o < arch.numLabels; o++)
    for (let i = 0; i < hidden; i++) headT[i * arch.numLabels + o] = head[o * hidden + i];
  return linear(cls, 1, headT, get('classifier.bias'));
}
