import { OnnxGraphBuilder, OnnxGraphSpec, tensorValueInfo } from './onnx-graph.builder';
import { OnnxDataType } from './onnx-proto.schema';
import { VitArchitecture } from './demo-model.presets';
import { normalWeights } from './tensor-data';
import { VIT_INPUT_NAME, VIT_OUTPUT_NAME } from './vit-graph.builder';

/**
 * A tiny graph with the real model's names and shapes but float16 input and output, for testing
 * the fp16 boundary conversion on CPU (an fp16 ViT export is what a GPU deployment would ship):
 * Cast to float32, global average pool per channel, a [channels, labels] Gemm, Cast to float16.
 */
export function buildFp16IoGraph(arch: VitArchitecture, seed: number): OnnxGraphSpec {
  return buildPoolingHeadGraph(arch, seed, OnnxDataType.FLOAT16);
}

/**
 * The same pooling head with float32 input and output: the real model's I/O at almost no compute
 * (a mean per channel and a 3x12 product), to measure what the GPU tier's CPU side costs alone.
 */
export function buildPoolingHeadGraph(
  arch: VitArchitecture,
  seed: number,
  io: typeof OnnxDataType.FLOAT | typeof OnnxDataType.FLOAT16 = OnnxDataType.FLOAT,
): OnnxGraphSpec {
  const graph = new OnnxGraphBuilder();
  const input =
    io === OnnxDataType.FLOAT16
      ? graph.node('Cast', '/Cast', [VIT_INPUT_NAME], { to: { int: OnnxDataType.FLOAT } })
      : VIT_INPUT_NAME;
  const pooled = graph.node('GlobalAveragePool', '/GlobalAveragePool', [input]);
  const flat = graph.node('Flatten', '/Flatten', [pooled], { axis: { int: 1 } });
  // Unit-std weights and biases make the logits clearly differ between labels and inputs.
  const weight = graph.initializer(normalWeights('head.weight', [arch.numChannels, arch.numLabels], 1, seed));
  const bias = graph.initializer(normalWeights('head.bias', [arch.numLabels], 1, seed));
  if (io === OnnxDataType.FLOAT16) {
    const logits32 = graph.node('Gemm', '/Gemm', [flat, weight, bias]);
    graph.node('Cast', '/Cast_1', [logits32], { to: { int: OnnxDataType.FLOAT16 } }, VIT_OUTPUT_NAME);
  } else graph.node('Gemm', '/Gemm', [flat, weight, bias], {}, VIT_OUTPUT_NAME);

  const size = arch.imageSize;
  return graph.build(
    io === OnnxDataType.FLOAT16 ? 'fp16_io_test_graph' : 'pooling_head_graph',
    [tensorValueInfo(VIT_INPUT_NAME, io, ['batch', arch.numChannels, size, size])],
    [tensorValueInfo(VIT_OUTPUT_NAME, io, ['batch', arch.numLabels])],
  );
}
