import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeTextFileAtomically } from './atomic-file';
import { OnnxGraphSpec } from './onnx-graph.builder';
import { OnnxModelInfo, writeOnnxModel } from './onnx-model.serializer';
import { initializerElements } from './tensor-data';

export interface WrittenModelDirectory {
  /** Absolute path of the model directory. */
  dir: string;
  /** Absolute path of its model.onnx. */
  onnxPath: string;
  /** Size of model.onnx in bytes. */
  bytes: number;
  /** Learned parameters (weights and biases), as HF's num_parameters() counts them. */
  parameters: number;
}

export interface ModelDirectoryContent {
  graph: OnnxGraphSpec;
  modelInfo: OnnxModelInfo;
  configJson: string;
  preprocessorConfigJson: string;
}

/**
 * Writes a Hugging Face-layout model directory. Every file is written atomically and
 * model.onnx last, so a directory holding a model.onnx is always complete.
 */
export async function writeModelDirectory(
  outDir: string,
  content: ModelDirectoryContent,
): Promise<WrittenModelDirectory> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  await writeTextFileAtomically(join(dir, 'config.json'), content.configJson);
  await writeTextFileAtomically(join(dir, 'preprocessor_config.json'), content.preprocessorConfigJson);
  const onnxPath = join(dir, 'model.onnx');
  const bytes = await writeOnnxModel(onnxPath, content.graph, content.modelInfo);
  const parameters = content.graph.initializers
    .filter((spec) => spec.isParameter)
    .reduce((sum, spec) => sum + initializerElements(spec), 0);
  return { dir, onnxPath, bytes, parameters };
}
