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
  timer?: NodeJS.Timeout;
}

interface ThreadSpec {
  onnxPath: string;
  settings: SessionSettings;
  numLabels: number;
  /** A run longer than this fails (transient) and the thread is replaced; absent: no limit. */
  runTimeoutMs?: number;
  /** How prepared RGB inputs are normalised in the thread (`runRgb`). */
  normalize?: InferenceThreadData['normalize'];
}

/** Starts an inference thread and waits until its session is loaded. */
function spawnThread(
  spec: ThreadSpec,
): Promise<{ worker: Worker; shape: SessionShape; threadIds: number[] }> {
  const { filename, execArgv } = threadScript(__dirname, 'inference.thread');
  const workerData: InferenceThreadData = {
    onnxPath: spec.onnxPath,
    settings: spec.settings,
    numLabels: spec.numLabels,
    normalize: spec.normalize,
  };
  const worker = new Worker(filename, { workerData, execArgv });
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: FromInferenceThread): void => {
      settle();
      if (message.type === 'ready') resolve({ worker, shape: message.shape, threadIds: message.threadIds });
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
 * The main-thread handle of the inference thread. One per process: several threads each holding
 * a session have crashed onnxruntime-node, and creating sessions repeatedly leaks memory.
 * A run over `runTimeoutMs` (a hung kernel, a wedged driver) fails every run in flight with a
 * transient error (their jobs retry) and the thread is replaced by a fresh one; runs asked for
 * meanwhile wait for it. A thread that crashes, or a replacement that cannot load, leaves the
 * session unhealthy for good: the worker stops consuming and is no longer live.
 */
export class ThreadedModelSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private replacing: Promise<void> | undefined;
  /** Threads replaced so far (for diagnostics and tests). */
  replacements = 0;

  private constructor(
    private worker: Worker,
    readonly shape: SessionShape,
    private readonly spec: ThreadSpec,
    /**
     * Linux TIDs of the session's thread and onnxruntime's pool (empty elsewhere). A replacement
     * thread is started by the main thread and inherits its priority.
     */
    public threadIds: readonly number[],
  ) {
    this.attach(worker);
  }

  static async start(
    onnxPath: string,
    settings: SessionSettings,
    numLabels: number,
    runTimeoutMs?: number,
    normalize?: InferenceThreadData['normalize'],
  ): Promise<ThreadedModelSession> {
    const spec = { onnxPath, settings, numLabels, runTimeoutMs, normalize };
    const { worker, shape, threadIds } = await spawnThread(spec);
    return new ThreadedModelSession(worker, shape, spec, threadIds);
  }

  private attach(worker: Worker): void {
    const current = () => worker === this.worker && !this.replacing;
    worker.on('message', (message: FromInferenceThread) => this.onMessage(message));
    worker.on('error', (err) => {
      if (current())
        this.fail(new InferenceError('inference_failed', `Inference thread crashed: ${err.message}`, false));
    });
    worker.on('exit', (code) => {
      if (!this.closing && current())
        this.fail(new InferenceError('inference_failed', `Inference thread exited (code ${code}).`, false));
    });
  }

  /**
   * Transfers `pixels` (a view of `count` images, possibly on a larger buffer) to the thread: the
   * caller must not touch it until the result hands it back as `pixels`.
   */
  run(pixels: Float32Array, count: number, height: number, width: number): Promise<RunOutput> {
    return this.send({ type: 'run', id: 0, pixels, count, height, width }, [pixels.buffer as ArrayBuffer]);
  }

  /**
   * Runs prepared HWC RGB inputs at the model's size: the thread normalises them into the batch
   * (needs `normalize` at start). Their buffers are transferred: the caller must not reuse them.
   */
  runRgb(images: Uint8Array[], height: number, width: number): Promise<RunOutput> {
    // Transfer only whole buffers an image owns; a view on a shared one (a pooled Buffer) is copied.
    const transfer = images
      .filter((m) => m.byteOffset === 0 && m.byteLength === m.buffer.byteLength)
      .map((m) => m.buffer as ArrayBuffer);
    return this.send({ type: 'run-rgb', id: 0, images, height, width }, [...new Set(transfer)]);
  }

  private async send(
    message: Extract<ToInferenceThread, { type: 'run' | 'run-rgb' }>,
    transfer: ArrayBuffer[],
  ): Promise<RunOutput> {
    if (this.replacing) await this.replacing;
    if (this.failure) throw this.failure;
    if (this.closing) throw new InferenceError('inference_failed', 'The model session is closed.', false);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      const limit = this.spec.runTimeoutMs;
      if (limit) {
        pending.timer = setTimeout(() => this.replace(`inference took longer than ${limit} ms`), limit);
        pending.timer.unref();
      }
      this.pending.set(id, pending);
      this.worker.postMessage({ ...message, id }, transfer);
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
      await this.replacing;
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

  /** Fails the runs in flight (transient: retried), ends the thread and loads a new one. */
  private replace(reason: string): void {
    if (this.replacing || this.failure || this.closing) return;
    this.rejectAll(
      new InferenceError('inference_failed', `${reason}; the inference thread was replaced`, false),
    );
    const old = this.worker;
    this.replacing = (async () => {
      try {
        await old.terminate();
        const { worker, threadIds } = await spawnThread(this.spec);
        this.worker = worker;
        this.threadIds = threadIds;
        this.attach(worker);
        this.replacements++;
      } catch (err) {
        this.failure ??= new InferenceError(
          'inference_failed',
          `The inference thread could not be replaced: ${(err as Error).message}`,
          false,
        );
      } finally {
        this.replacing = undefined;
      }
    })();
  }

  private onMessage(message: FromInferenceThread): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
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

  private rejectAll(err: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
    this.pending.clear();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.rejectAll(err);
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
