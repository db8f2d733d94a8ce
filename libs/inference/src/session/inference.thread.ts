/**
 * The inference thread: owns the process's one long-lived onnxruntime session. `session.run` is
 * a synchronous native call; here it blocks only this thread, so the main event loop keeps
 * renewing BullMQ locks, answering health checks and preparing the next micro-batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceError } from '../errors';
import type {
  FromInferenceThread,
  InferenceThreadData,
  ToInferenceThread,
} from './inference-thread.messages';
import { OnnxModelSession } from './onnx-model-session';
import { RgbBatchPacker } from './rgb-batch';
import { currentThreadId, threadMark, threadsStartedSince } from '../threads/thread-priority';

const port = parentPort;
if (!port) throw new Error('inference.thread must run in a worker thread');
const data = workerData as InferenceThreadData;
const packer = data.normalize ? new RgbBatchPacker(data.normalize) : undefined;

function post(message: FromInferenceThread, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function main(): Promise<void> {
  let session: OnnxModelSession;
  const before = threadMark();
  let threadIds: number[];
  try {
    session = await OnnxModelSession.create(data.onnxPath, data.settings, data.numLabels);
    // The threads that appeared while the session was created are its intra-op pool (the
    // classifier starts nothing else meanwhile); with this one they run every session.run.
    const started = threadsStartedSince(before);
    threadIds = [currentThreadId(), ...started].filter((t): t is number => t !== undefined);
  } catch (err) {
    const e = err as Error;
    post({ type: 'init-error', name: e.name, message: e.message });
    return;
  }
  post({ type: 'ready', shape: session.shape, threadIds });
  // One message at a time: a run that arrives while another runs waits its turn here, so each
  // run's time is its own (two overlapping handlers would each count the other's native run).
  let turn: Promise<void> = Promise.resolve();
  port!.on('message', (message: ToInferenceThread) => {
    turn = turn.then(() => handle(session, message));
  });
}

async function handle(session: OnnxModelSession, message: ToInferenceThread): Promise<void> {
  if (message.type === 'close') {
    await session.release();
    post({ type: 'closed' });
    port!.close();
    return;
  }
  try {
    const count = message.type === 'run' ? message.count : message.images.length;
    const packStarted = performance.now();
    let input: Float32Array;
    if (message.type === 'run') input = message.pixels;
    else if (packer) input = packer.pack(message.images, message.height, message.width);
    else throw new InferenceError('inference_failed', 'This session takes no prepared RGB inputs.', false);
    const started = performance.now();
    const packMs = started - packStarted;
    const logits = await session.run(input, count, message.height, message.width);
    const runMs = performance.now() - started;
    // Copy into a fresh buffer we can transfer: onnxruntime owns the output tensor's memory.
    const out = new Float32Array(logits);
    if (message.type === 'run') {
      const { pixels } = message;
      post({ type: 'result', id: message.id, logits: out, runMs, pixels }, [
        out.buffer,
        pixels.buffer as ArrayBuffer,
      ]);
    } else post({ type: 'result', id: message.id, logits: out, runMs, packMs }, [out.buffer]);
  } catch (err) {
    const e = err as Error;
    post({
      type: 'error',
      id: message.id,
      code: e instanceof InferenceError ? e.code : 'inference_failed',
      message: e.message,
      permanent: e instanceof InferenceError ? e.permanent : false,
    });
  }
}

void main();
