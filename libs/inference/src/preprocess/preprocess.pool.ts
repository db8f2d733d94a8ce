import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { InferenceError } from '../errors';
import type { PreprocessorSpec } from '../model/preprocessor-spec';
import {
  deserializeError,
  type PoolReply,
  type PoolResult,
  type PoolTask,
  type PoolTaskKind,
} from './preprocess.pool.protocol';
import type { PreprocessedImage, PreprocessOptions, ResizedImage } from './preprocess.types';
import { threadMark, threadsStartedSince } from '../threads/thread-priority';
import { threadScript } from '../threads/thread-script';
import { decodedPixels, PixelBudget } from './pixel-budget';

export interface PreprocessPoolOptions {
  /** Threads; 0 or absent = os.availableParallelism(). */
  size?: number;
  /** Tasks waiting for a thread beyond which submissions are refused (default 64 per thread). */
  maxQueue?: number;
  /** At least this many waiting places whatever the thread count (what the caller may hold at once). */
  minQueue?: number;
  /** Per-thread V8 heap limits, so a runaway decode ends its thread, not the process. */
  resourceLimits?: ResourceLimits;
  /**
   * Decoded pixels (width x height, from the headers) in flight across all threads at once;
   * a task waits for room before it starts (default DEFAULT_MAX_PIXELS_IN_FLIGHT).
   */
  maxPixelsInFlight?: number;
  /**
   * A task running longer than this (a decoder stuck in a loop) is failed with a transient error
   * and its thread terminated; a replacement is spawned on demand. Absent: no limit.
   */
  taskTimeoutMs?: number;
}

/** 48 MP: four 12 MP photographs at once, about 150 MB of decoded RGB. */
export const DEFAULT_MAX_PIXELS_IN_FLIGHT = 48_000_000;

/** Refused because the queue is full: transient, the caller should retry later or slow down. */
export class PreprocessQueueFullError extends InferenceError {
  constructor(limit: number) {
    super('inference_failed', `preprocessing queue is full (${limit} tasks waiting)`, false);
    this.name = 'PreprocessQueueFullError';
  }
}

interface Pending {
  task: PoolTask;
  /** Decoded pixels it holds in the budget while it runs. */
  pixels: number;
  resolve: (result: PoolResult) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Linux thread ids that appeared as the thread started (its own), for priorities; [] elsewhere. */
  tids: number[];
  running: Pending | null;
  lastError: Error | null;
  timer?: NodeJS.Timeout;
}

/**
 * Exact (or fast) preprocessing off the event loop, in worker threads: results equal the
 * in-thread functions' bit for bit, pixel buffers come back transferred. Each thread runs one
 * task at a time; a bad image rejects only its own task; a thread that dies rejects its task
 * with a transient error and is replaced.
 */
export class PreprocessPool {
  readonly size: number;
  private readonly maxQueue: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private readonly budget: PixelBudget;

  constructor(private readonly options: PreprocessPoolOptions = {}) {
    this.size = options.size && options.size > 0 ? options.size : availableParallelism();
    this.maxQueue = Math.max(options.maxQueue ?? this.size * 64, options.minQueue ?? 0);
    this.budget = new PixelBudget(options.maxPixelsInFlight ?? DEFAULT_MAX_PIXELS_IN_FLIGHT);
  }

  /** Decoded pixels in flight now, and the most there have been at once. */
  get pixels(): { inFlight: number; peak: number; capacity: number } {
    return { inFlight: this.budget.inFlight, peak: this.budget.peak, capacity: this.budget.capacity };
  }

  resize(bytes: Uint8Array, spec: PreprocessorSpec, options: PreprocessOptions): Promise<ResizedImage> {
    return this.submit('resize', bytes, spec, options) as Promise<ResizedImage>;
  }

  preprocess(
    bytes: Uint8Array,
    spec: PreprocessorSpec,
    options: PreprocessOptions,
  ): Promise<PreprocessedImage> {
    return this.submit('preprocess', bytes, spec, options) as Promise<PreprocessedImage>;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.running).length;
  }

  /** The live threads (for tests and diagnostics). */
  get threads(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  /** Starts every thread now rather than as tasks first arrive (idle: not keeping the process alive). */
  prestart(): void {
    while (!this.closing && this.slots.length < this.size) this.spawn().worker.unref();
  }

  /** Linux thread ids of the live threads (none off Linux), so their priority can be set apart. */
  get threadIds(): number[] {
    return this.slots.flatMap((s) => s.tids);
  }

  /** Refuses new tasks, lets accepted ones finish, then ends the threads. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.pending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
    })();
    return this.closing;
  }

  private submit(kind: PoolTaskKind, bytes: Uint8Array, spec: PreprocessorSpec, options: PreprocessOptions) {
    if (this.closing)
      return Promise.reject(new InferenceError('inference_failed', 'preprocessing pool is closed', false));
    if (this.queue.length >= this.maxQueue)
      return Promise.reject(new PreprocessQueueFullError(this.maxQueue));
    return new Promise<PoolResult>((resolve, reject) => {
      // bytes are copied by structured clone: the caller's Buffer may be a slice of a shared pool.
      const task: PoolTask = { id: this.nextId++, kind, bytes, spec, options };
      this.queue.push({ task, pixels: decodedPixels(bytes), resolve, reject });
      this.dispatch();
    });
  }

  /** Starts queued tasks in order while a thread is free and the head task's pixels fit. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.budget.fits(this.queue[0].pixels)) {
      const slot =
        this.slots.find((s) => !s.running) ?? (this.slots.length < this.size ? this.spawn() : null);
      if (!slot) return;
      const pending = this.queue.shift() as Pending;
      this.budget.take(pending.pixels);
      slot.running = pending;
      slot.worker.ref();
      slot.worker.postMessage(pending.task);
      this.limit(slot);
    }
    if (this.pending === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  }

  private spawn(): Slot {
    const { filename, execArgv } = threadScript(__dirname, 'preprocess.worker');
    // Node starts a worker's OS thread inside its constructor: the thread ids new after it are its.
    const before = threadMark();
    const worker = new Worker(filename, { execArgv, resourceLimits: this.options.resourceLimits });
    const tids = threadsStartedSince(before);
    const slot: Slot = { worker, tids, running: null, lastError: null };
    worker.on('message', (reply: PoolReply) => this.settle(slot, reply));
    worker.on('error', (err) => (slot.lastError = err));
    worker.on('exit', (code) => this.onExit(slot, code));
    this.slots.push(slot);
    return slot;
  }

  /** Crash window: a hung task would hold its job (whose lock renews) forever; this ends it. */
  private limit(slot: Slot): void {
    const ms = this.options.taskTimeoutMs;
    if (!ms) return;
    slot.timer = setTimeout(() => {
      slot.lastError = new Error(`task took longer than ${ms} ms; thread replaced`);
      void slot.worker.terminate(); // onExit rejects the task and a new thread takes its place
    }, ms);
    slot.timer.unref();
  }

  private settle(slot: Slot, reply: PoolReply): void {
    const pending = slot.running;
    if (!pending || pending.task.id !== reply.id) return;
    clearTimeout(slot.timer);
    slot.running = null;
    this.budget.release(pending.pixels);
    // An idle thread must not keep the process alive (a CLI run ends when its work does).
    slot.worker.unref();
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(deserializeError(reply.error));
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    clearTimeout(slot.timer);
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    const pending = slot.running;
    slot.running = null;
    if (pending) this.budget.release(pending.pixels);
    if (pending) {
      const why = slot.lastError ? slot.lastError.message : `exit code ${code}`;
      pending.reject(new InferenceError('inference_failed', `preprocessing thread died (${why})`, false));
    }
    // A replacement is spawned on demand by dispatch.
    this.dispatch();
  }
}
