import { spawn } from 'node:child_process';

/**
 * Runs an ONNX model on [1,3,H,W] tensors and returns each one's logits, in a child process:
 * inside jest's sandbox ort's own `instanceof Float32Array` check fails on its native output
 * (another realm), and its addon cannot be loaded by a second worker thread of one process
 * ("Module did not self-register").
 */
const CHILD = `
const ort = require(process.argv[1]);
process.once('message', async ({ model, inputs }) => {
  const session = await ort.InferenceSession.create(model);
  const logits = [];
  for (const { data, dims } of inputs) {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
    logits.push(Float32Array.from(out[session.outputNames[0]].data));
  }
  await session.release();
  process.send(logits, () => process.exit(0));
});
`;

export function runOnnxModel(
  modelPath: string,
  inputs: Array<{ data: Float32Array; dims: number[] }>,
): Promise<Float32Array[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, require.resolve('onnxruntime-node')], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    child.once('message', (logits) => resolve(logits as Float32Array[]));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`onnxruntime child exited with code ${code}`));
    });
    child.send({ model: modelPath, inputs });
  });
}
