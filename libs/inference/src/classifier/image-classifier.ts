import { stat } from 'node:fs/promises';
import { type BatchTiming, MicroBatcher } from '../batching/micro-batcher';
import { InvalidImageError } from '../errors';
import type { ClassificationResult } from '../model/classification';
import type { ModelDirectory } from '../model/model-directory';
import { PreprocessPool } from '../preprocess/preprocess.pool';
import type { PreprocessOptions, ResizedImage } from '../preprocess/preprocess.types';
import type { SessionSettings } from '../session/execution-providers';
import { ThreadedModelSession } from '../session/threaded-model-session';
import {
  currentThreadId,
  idleThreadsExcept,
  lowerThreadsExcept,
  SchedIdleUnavailableError,
} from '../threads/thread-priority';
import { type BatchInput, BusyMeter, makeBatchRunner } from './batch-runner';

/** How the worker's threads other than its CPU session's are put below it (WORKER_OTHER_THREADS_*). */
export interface OtherThreadsPriority {
  policy: 'idle' | 'nice';
  /** The nice value with policy 'nice', and where SCHED_IDLE cannot be had. */
  nice: number;
}

export interface ClassifierSettings {
  session: SessionSettings;
  preprocessing: PreprocessOptions;
  batch: { maxSize: number; maxDelayMs: number; maxQueuedBatches: number };
  /** Preprocessing threads; 0 = one per core. */
  preprocessThreads: number;
  /**
   * Limit of one inference run and of one preprocessing task: over it, the work fails (transient,
   * its job retries) and its thread is replaced. Absent: no limit (the CLI).
   */
  taskTimeoutMs?: number;
}

/** Where one image's time went inside the classifier (milliseconds), for the stage histograms. */
export interface ClassifyTiming extends BatchTiming {
  preprocessMs: number;
}

/**
 * The one classification path, shared by the worker and `dermafleet classify`: preprocessing in
 * a pool of threads, a dynamic micro-batcher, and one long-lived session in its own thread.
 */
export class ImageClassifier {
  readonly meter = new BusyMeter();
  private readonly batcher: MicroBatcher<BatchInput, ClassificationResult>;
  private readonly pixelsPerImage: number;
  private closed: Promise<void> | undefined;

  private constructor(
    readonly model: ModelDirectory,
    readonly settings: ClassifierSettings,
    private readonly session: ThreadedModelSession,
    private readonly pool: PreprocessPool,
  ) {
    const { height, width } = model.preprocessor;
    this.pixelsPerImage = 3 * height * width;
    const preprocessing = {
      mode: settings.preprocessing.mode,
      autoOrient: settings.preprocessing.autoOrient,
    };
    const runner = makeBatchRunner(session, model, preprocessing, this.meter, settings.batch.maxSize);
    // runWhenIdle: an image alone (interactive use) runs as soon as it is preprocessed, instead of
    // waiting maxDelayMs for companions that are not coming; images being preprocessed are announced.
    this.batcher = new MicroBatcher(runner, { ...settings.batch, runWhenIdle: true });
  }

  /** Starts the session thread and the preprocessing pool, then warms up with one full batch. */
  static async open(model: ModelDirectory, settings: ClassifierSettings): Promise<ImageClassifier> {
    // libuv starts its whole pool on first use: let that happen now, so its threads are not
    // mistaken for onnxruntime's (started next) when priorities are set.
    await stat(model.onnxPath);
    const session = await ThreadedModelSession.start(
      model.onnxPath,
      settings.session,
      model.labels.length,
      settings.taskTimeoutMs,
      model.preprocessor,
    );
    const pool = new PreprocessPool({
      size: settings.preprocessThreads,
      taskTimeoutMs: settings.taskTimeoutMs,
      // Every image the worker holds (a running batch and the queued ones: its BullMQ concurrency)
      // may wait for a thread at once. With fewer places the rest failed "queue is full" and BullMQ
      // ran them again: one thread (64 places) and batches of 64 with a prefetch (128 in hand).
      minQueue: settings.batch.maxSize * settings.batch.maxQueuedBatches,
    });
    // Its threads now, not at the first image: they exist when priorities are set, whatever
    // arrives first (prioritiseSession leaves them at the event loop's nice value).
    pool.prestart();
    const classifier = new ImageClassifier(model, settings, session, pool);
    try {
      await classifier.warmUp();
    } catch (err) {
      await classifier.close(); // no thread left behind to keep the process alive
      throw err;
    }
    return classifier;
  }

  get sessionHealthy(): boolean {
    return this.session.healthy;
  }

  /**
   * Decodes, preprocesses and classifies one image (batched with its neighbours). A lower
   * `priority` number is taken into a batch first (BullMQ's convention: interactive before bulk).
   */
  async classify(bytes: Buffer, priority = 0, timing?: ClassifyTiming): Promise<ClassificationResult> {
    const arrived = this.batcher.expectArrival();
    const started = performance.now();
    // Resized RGB bytes (442 KB at 384x384), normalised by the session's thread as it packs the
    // batch (RgbBatchPacker: the same tables, bit for bit toPixelValues), as the infer tier does;
    // not a float32 tensor per image (1.8 MB) made by the pool and copied into the batch here.
    // Those new buffers on the event loop's heap cost it 6 major collections per 400 images of
    // the tiny-model drain (--trace-gc), none now; images waiting for a batch hold 4x less.
    let prepared: ResizedImage;
    try {
      prepared = await this.pool.resize(bytes, this.model.preprocessor, this.settings.preprocessing);
    } catch (err) {
      arrived();
      throw err;
    }
    if (timing) timing.preprocessMs = performance.now() - started;
    const result = this.classifyRgb(prepared, priority, timing, 'this image did not preprocess to that size');
    arrived(); // after the add: the batcher sees the image before it stops expecting it
    return await result;
  }

  /**
   * Resized RGB bytes into the next micro-batch, normalised in the session's thread as the batch
   * is packed: nothing per image here. `mismatch` says what was not the model's size.
   */
  private classifyRgb(
    resized: ResizedImage,
    priority: number,
    timing: BatchTiming | undefined,
    mismatch: string,
  ): Promise<ClassificationResult> {
    const { height, width } = this.model.preprocessor;
    if (resized.width !== width || resized.height !== height) {
      return Promise.reject(new InvalidImageError(`The model takes ${width}x${height} inputs; ${mismatch}.`));
    }
    return this.batcher.add(resized.rgb, priority, timing);
  }

  /** The exact `pixel_values` input of one image ([3, H, W]), e.g. to explain its result. */
  async preprocess(bytes: Buffer): Promise<Float32Array> {
    return (await this.pool.preprocess(bytes, this.model.preprocessor, this.settings.preprocessing)).data;
  }

  /** The compact model input (resized RGB bytes) for the preprocessing tier. */
  resize(bytes: Buffer): Promise<ResizedImage> {
    return this.pool.resize(bytes, this.model.preprocessor, this.settings.preprocessing);
  }

  /** Classifies a model input prepared by `resize` (possibly in another pod). */
  classifyResized(resized: ResizedImage, priority = 0): Promise<ClassificationResult> {
    if (resized.rgb.length !== resized.width * resized.height * 3) {
      return Promise.reject(
        new InvalidImageError(
          `A prepared model input of ${resized.width}x${resized.height} must hold ${resized.width * resized.height * 3} bytes, not ${resized.rgb.length}.`,
        ),
      );
    }
    const size = `this prepared input is ${resized.width}x${resized.height}`;
    return this.classifyRgb(resized, priority, undefined, size);
  }

  classifyPixels(pixels: Float32Array, priority = 0, timing?: BatchTiming): Promise<ClassificationResult> {
    if (pixels.length !== this.pixelsPerImage) {
      const { height, width } = this.model.preprocessor;
      return Promise.reject(
        new InvalidImageError(
          `The model takes ${width}x${height} inputs; this image did not preprocess to that size.`,
        ),
      );
    }
    return this.batcher.add(pixels, priority, timing);
  }

  /**
   * Puts every other thread of the process below the session's (Linux), so the session's threads
   * run first. On a CPU the session's intra-op threads meet at a barrier after every operator: a
   * core taken from one of them for x ms stalls all of them for x ms, so decoding and queue work
   * at equal priority stretch every run instead of filling the gaps the session leaves (see
   * docs/PIPELINE_COSTS.md). 'idle' moves libuv's pool (where libvips decodes) and V8's and
   * Node's helper threads to SCHED_IDLE; this thread (the event loop: health probes, job locks,
   * handing each batch over) and the preprocessing threads (the exact resize), which must not wait
   * for the session's gaps, go to `nice`, as do the ones they start later (a replaced session
   * thread among them): measured, with these at SCHED_IDLE too, health answered in up to 0.9 s and
   * batches came out half full. Where SCHED_IDLE cannot be had (no chrt), and with 'nice', every
   * other thread goes to `nice`. A whole-process setting, from the process's entry point and main
   * thread only (not a library user, nor a test that hosts a worker in its own process).
   */
  prioritiseSession(priority: OtherThreadsPriority): { summary: string; fallback?: string } {
    const session = new Set(this.session.threadIds);
    const eventLoop = currentThreadId();
    let idle = 0;
    let fallback: string | undefined;
    if (priority.policy === 'idle' && eventLoop !== undefined) {
      try {
        idle = idleThreadsExcept(new Set([...session, eventLoop, ...this.pool.threadIds]));
      } catch (err) {
        if (!(err instanceof SchedIdleUnavailableError)) throw err;
        fallback = err.message;
      }
    }
    // Every thread but the session's at `nice`: the event loop, the preprocessing threads, any
    // chrt refused, and those at SCHED_IDLE (where a nice value changes nothing).
    const lowered = lowerThreadsExcept(session, priority.nice);
    const summary = idle
      ? `${idle} threads other than the session's at SCHED_IDLE, the event loop and the preprocessing threads at nice ${priority.nice}`
      : `${lowered} threads other than the session's at nice ${priority.nice}`;
    return { summary, fallback };
  }

  /** Milliseconds the warm-up batch took (session creation excluded). */
  warmUpMs = 0;

  /** One full batch before the first job, so the first real batch does not pay for lazy init. */
  private async warmUp(): Promise<void> {
    const n = this.settings.batch.maxSize;
    const { height, width } = this.model.preprocessor;
    const started = performance.now();
    await this.session.run(new Float32Array(n * 3 * height * width), n, height, width);
    this.warmUpMs = performance.now() - started;
  }

  /** Runs what is gathered, waits for it, then stops the threads; safe to call twice. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.batcher.drain();
      await Promise.all([this.session.close(), this.pool.close()]);
    })();
    return this.closed;
  }
}
