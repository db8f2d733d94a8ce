import * as ort from 'onnxruntime-node';
import { InferenceError, InvalidModelError } from '../errors';
import { fromFloat16, toFloat16 } from './fp16';
import {
  assertProvidersAvailable,
  MissingExecutionProviderError,
  SessionSettings,
} from './execution-providers';
import { sessionOptions } from './session-options';

export interface SessionShape {
  inputName: string;
  outputName: string;
  inputType: 'float32' | 'float16';
  outputType: 'float32' | 'float16';
  numLabels: number;
}

/**
 * One onnxruntime-node session for a classifier (`pixel_values` -> `logits`). `run` is a
 * synchronous native call that blocks its thread for the whole batch: use it inside the
 * inference thread (threaded-model-session.ts), or in a CLI/benchmark where that is fine.
 */
export class OnnxModelSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly shape: SessionShape,
  ) {}

  static async create(
    onnxPath: string,
    settings: SessionSettings,
    numLabels: number,
  ): Promise<OnnxModelSession> {
    assertProvidersAvailable(settings.executionProviders);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(onnxPath, sessionOptions(settings));
    } catch (err) {
      throw explainProviderFailure(err as Error, settings);
    }
    return new OnnxModelSession(session, describe(session, numLabels));
  }

  /** Runs `count` images (CHW float32 each, concatenated) and returns count*numLabels float32 logits. */
  async run(pixels: Float32Array, count: number, height: number, width: number): Promise<Float32Array> {
    const dims = [count, 3, height, width];
    const input =
      this.shape.inputType === 'float16'
        ? new ort.Tensor('float16', toFloat16(pixels), dims)
        : new ort.Tensor('float32', pixels, dims);
    let output: ort.Tensor;
    try {
      const result = await this.session.run({ [this.shape.inputName]: input });
      output = result[this.shape.outputName];
    } catch (err) {
      throw new InferenceError(
        'inference_failed',
        `The model failed to run: ${(err as Error).message}`,
        false,
      );
    }
    const data =
      this.shape.outputType === 'float16'
        ? fromFloat16(output.data as Uint16Array)
        : (output.data as Float32Array);
    if (data.length !== count * this.shape.numLabels) {
      throw new InvalidModelError(
        `The model returned ${data.length} logits for ${count} images; expected ${this.shape.numLabels} per image (id2label).`,
      );
    }
    return data;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * A provider whose files are installed can still fail to load (no CUDA runtime or cuDNN on the
 * node, wrong driver; for webgpu, no Vulkan loader or no GPU it can drive): say which provider
 * and what to check instead of onnxruntime's bare message.
 */
function explainProviderFailure(err: Error, settings: SessionSettings): Error {
  const accelerated = settings.executionProviders.filter((p) => p !== 'cpu');
  const noAdapter = /Failed to get a WebGPU adapter[^\n]*/i.exec(err.message);
  if (accelerated.includes('webgpu') && noAdapter) {
    // onnxruntime-node's own Linux build runs webgpu through Dawn on Vulkan: it loads
    // libvulkan.so.1 and asks the driver's Vulkan ICD for a device, and finds none on a node
    // without a GPU or without those two.
    return new MissingExecutionProviderError(
      `onnxruntime found no GPU for the webgpu execution provider (${noAdapter[0]}). ` +
        'On Linux it runs on Vulkan: the node needs the Vulkan loader (libvulkan.so.1, package libvulkan1) and ' +
        "the GPU driver's Vulkan ICD (in NVIDIA containers, NVIDIA_DRIVER_CAPABILITIES must include graphics). " +
        'Or set ORT_EXECUTION_PROVIDERS=cpu.',
    );
  }
  if (accelerated.length === 0 || !/shared library|shared object|cannot open|LoadLibrary/i.test(err.message))
    return err;
  return new MissingExecutionProviderError(
    `onnxruntime could not load the ${accelerated.join(', ')} execution provider (${err.message}). ` +
      'Check that the node has the CUDA 12 runtime and cuDNN 9 libraries and a GPU driver, or set ORT_EXECUTION_PROVIDERS=cpu.',
  );
}

function tensorType(
  meta: ort.InferenceSession.ValueMetadata | undefined,
  what: string,
): 'float32' | 'float16' {
  if (!meta || !meta.isTensor || (meta.type !== 'float32' && meta.type !== 'float16')) {
    throw new InvalidModelError(`The model's ${what} must be a float32 or float16 tensor.`);
  }
  return meta.type;
}

function describe(session: ort.InferenceSession, numLabels: number): SessionShape {
  const inputName = session.inputNames.includes('pixel_values') ? 'pixel_values' : session.inputNames[0];
  const outputName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
  const inputMeta = session.inputMetadata.find((m) => m.name === inputName);
  const outputMeta = session.outputMetadata.find((m) => m.name === outputName);
  return {
    inputName,
    outputName,
    inputType: tensorType(inputMeta, `input ${inputName}`),
    outputType: tensorType(outputMeta, `output ${outputName}`),
    numLabels,
  };
}
