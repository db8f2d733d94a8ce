import { join } from 'node:path';
import { sharedFixturesDir } from '../preprocess/preprocess.fixtures';
import { MissingExecutionProviderError } from './execution-providers';
import { OnnxModelSession } from './onnx-model-session';

const MODEL = join(sharedFixturesDir(), 'model', 'model.onnx');
const settings = (executionProviders: Array<'webgpu' | 'cpu'>) => ({
  executionProviders,
  deviceId: 0,
  intraOpThreads: 1,
});

/**
 * webgpu is in onnxruntime-node's own Linux build (Dawn over Vulkan), so it passes the start-up
 * check; whether it runs depends on the node. Real onnxruntime either way: on a node without a GPU
 * (CI) asking for it must fail at start with a sentence naming what is missing, and on a node with
 * one it must give the CPU's logits.
 */
describe('the webgpu execution provider', () => {
  it('runs the model as the CPU does, or fails at start saying what the node lacks', async () => {
    const created = await OnnxModelSession.create(MODEL, settings(['webgpu', 'cpu']), 12).then(
      (session) => ({ session, error: undefined }),
      (error: Error) => ({ session: undefined, error }),
    );
    if (created.error) {
      expect(created.error).toBeInstanceOf(MissingExecutionProviderError);
      expect(created.error.message).toMatch(
        /^onnxruntime found no GPU for the webgpu execution provider \(Failed to get a WebGPU adapter/,
      );
      expect(created.error.message).toContain('libvulkan1');
      expect(created.error.message).toContain('ORT_EXECUTION_PROVIDERS=cpu');
      expect(created.error.message).not.toContain('onnxruntime_src');
      return;
    }
    const pixels = new Float32Array(2 * 3 * 384 * 384).map((_, i) => Math.sin(i * 0.37) * 0.95);
    const cpu = await OnnxModelSession.create(MODEL, settings(['cpu']), 12);
    try {
      const expected = await cpu.run(pixels, 2, 384, 384);
      const onGpu = await created.session.run(pixels, 2, 384, 384);
      onGpu.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-3));
    } finally {
      await Promise.all([cpu.release(), created.session.release()]);
    }
  });
});
