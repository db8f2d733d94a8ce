import { Worker } from 'node:worker_threads';
// Load the native addon in the main thread first. onnxruntime-node's binding is not
// context-aware: if only worker threads load it, the second thread ever to do so fails with
// "Module did not self-register"; once the main thread holds it, any later thread can.
import 'onnxruntime-node';
import { InferenceError, InvalidModelError } from '../errors';
import { threadScript } from '../threads/thread-script';
import { MissingExecutionProviderError, type SessionSettings } from './execution-providers';
import type {
  FromInferenceThread,
  InferenceThreadData,
  ToInferenceThread,
} from './inference-thread.messages';
import type { SessionShape } from './onnx-model-session';

export interface RunOutput {
  logits: Float32Array;
  /** Milliseconds the session spent in `run` (for session_busy_ratio). */
  runMs: number;
  /** The input, handed back by the thread: its memory may be reused for the next batch ('run' only). */
  pixels?: Float32Array;
  /** Milliseconds the thread spent normalising and packing prepared inputs (`runRgb` only). */
  packMs?: number;
}

interface Pending {
  resolve: (out: RunOutput) => void;
  reject: (err: Error) => void;
}

/**
 * The main-thread handle of the inference thread. One per process: several threads each holding
 * a session have crashed onnxruntime-node, and creating sessions repeatedly leaks memory.
 */
export class ThreadedModelSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly shape: SessionShape,
    /** Linux TIDs of the session's thread and onnxruntime's pool (empty elsewhere). */
    readonly threadIds: readonly number[],
  ) {
    worker.on('message', (message: FromInferenceThread) => this.onMessage(message));
    worker.on('error', (err) =>
      this.fail(new InferenceError('inference_failed', `Inference thread crashed: ${err.message}`, false)),
    );
    worker.on('exit', (code) => {
      if (!this.closing)
        this.fail(new InferenceError('inference_failed', `Inference thread exited (code ${code}).`, false));
    });
  }

  static start(
    onnxPath: string,
    settings: SessionSettings,
    numLabels: number,
    normalize?: InferenceThreadData['normalize'],
  ): Promise<ThreadedModelSession> {
    const { filename, execArgv } = threadScript(__dirname, 'inference.thread');
    const workerData: InferenceThreadData = { onnxPath, settings, numLabels, normalize };
    const worker = new Worker(filename, { workerData, execArgv });
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (message: FromInferenceThread): void => {
        settle();
        if (message.type === 'ready')
          resolve(new ThreadedModelSession(worker, message.shape, message.threadIds));
        else {
          void worker.terminate();
          reject(startError(message));
        }
      };
      const onError = (err: Error): void => {
        settle();
        void worker.terminate();
        reject(err);
      };
      // A thread that dies while loading (native crash, out of memory) must not leave us waiting.
      const onExit = (code: number): void => {
        settle();
        reject(new Error(`The inference thread exited with code ${code} while loading the model.`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /**
   * Transfers `pixels` (a view of `count` images, possibly on a larger buffer) to the thread: the
   * caller must not touch it until the result hands it back as `pixels`.
   */
  run(pixels: Float32Array, count: number, height: number, width: number): Promise<RunOutput> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing)
      return Promise.reject(new InferenceError('inference_failed', 'The model session is closed.', false));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToInferenceThread = { type: 'run', id, pixels, count, height, width };
      this.worker.postMessage(message, [pixels.buffer as ArrayBuffer]);
    });
  }

  /**
   * Runs prepared HWC RGB inputs at the model's size: the thread normalises them into the batch
   * (needs `normalize` at start). Their buffers are transferred: the caller must not reuse them.
   */
  runRgb(images: Uint8Array[], height: number, width: number): Promise<RunOutput> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing)
      return Promise.reject(new InferenceError('inference_failed', 'The model session is closed.', false));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToInferenceThread = { type: 'run-rgb', id, images, height, width };
      // Transfer only whole buffers an image owns; a view on a shared one (a pooled Buffer) is copied.
      const transfer = images
        .filter((m) => m.byteOffset === 0 && m.byteLength === m.buffer.byteLength)
        .map((m) => m.buffer as ArrayBuffer);
      this.worker.postMessage(message, [...new Set(transfer)]);
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get healthy(): boolean {
    return !this.failure && !this.closing;
  }

  /** Lets queued runs finish, then releases the session; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.failure) {
        await this.worker.terminate();
        return;
      }
      await new Promise<void>((resolve) => {
        this.worker.once('exit', () => resolve());
        this.worker.postMessage({ type: 'close' } satisfies ToInferenceThread);
      });
    })();
    return this.closing;
  }

  private onMessage(message: FromInferenceThread): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'result')
      pending.resolve({
        logits: message.logits,
        runMs: message.runMs,
        pixels: message.pixels,
        packMs: message.packMs,
      });
    else
      pending.reject(
        new InferenceError(message.code as InferenceError['code'], message.message, message.permanent),
      );
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const pending of this.pending.values()) pending.reject(err);
    this.pending.clear();
  }
}

/** The thread's start-up failure as an error of the same kind (errors cross threads as text). */
function startError(message: FromInferenceThread): Error {
  if (message.type !== 'init-error') return new Error('Inference thread did not start.');
  if (message.name === 'MissingExecutionProviderError')
    return new MissingExecutionProviderError(message.message);
  if (message.name === 'InvalidModelError') return new InvalidModelError(message.message);
  return new Error(message.message);
}
