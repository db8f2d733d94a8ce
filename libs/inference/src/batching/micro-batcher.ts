export interface MicroBatcherOptions {
  /** Run at most this many items at once; a full batch runs without waiting (BATCH_MAX_SIZE). */
  maxSize: number;
  /** ...otherwise run once the oldest waiting item has waited this long (BATCH_MAX_DELAY_MS). */
  maxDelayMs: number;
  /** Full batches allowed to wait for the runner; `add` waits beyond that (backpressure). */
  maxQueuedBatches: number;
  /**
   * Run at once (next turn of the event loop) when the runner is idle and no item announced with
   * `expectArrival` is still on its way: waiting `maxDelayMs` then only adds latency, since
   * nothing will join. Off by default: callers that do not announce arrivals keep the delay.
   */
  runWhenIdle?: boolean;
}

/** Where an item's time went: waiting for its batch to start, and its batch's run. */
export interface BatchTiming {
  waitMs: number;
  runMs: number;
}

/** Runs one batch; returns one output or Error per item, in order (an Error fails only its item). */
export type BatchRunner<I, O> = (items: I[]) => Promise<Array<O | Error>>;

interface Entry<I, O> {
  item: I;
  priority: number;
  seq: number;
  arrivedAt: number;
  resolve: (out: O) => void;
  reject: (err: Error) => void;
  timing?: BatchTiming;
}

/**
 * A dynamic micro-batcher (like Triton's): items wait in one queue, ordered by priority (lower
 * first) then arrival; whenever the runner is free it takes up to `maxSize` of them at once if
 * that many wait, else as soon as the oldest has waited `maxDelayMs`. Batches are formed when
 * the runner frees, not when items arrive: while batch N runs, everything prepared meanwhile
 * joins batch N+1 (a timer flushing partial batches into a backlog would feed the device many
 * small batches exactly when it is busiest). One batch runs at a time.
 */
export class MicroBatcher<I, O> {
  private readonly waitingEntries: Entry<I, O>[] = [];
  private running = false;
  private flushRequested = false;
  private blockedAdds = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private capacityWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private arriving = 0;
  private idleRun: NodeJS.Immediate | undefined;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly options: MicroBatcherOptions,
  ) {
    if (!(options.maxSize >= 1)) throw new RangeError('maxSize must be at least 1');
    if (!(options.maxQueuedBatches >= 1)) throw new RangeError('maxQueuedBatches must be at least 1');
    if (!(options.maxDelayMs >= 0)) throw new RangeError('maxDelayMs must not be negative');
  }

  /** Items waiting for the runner (not counting the batch running). */
  get waiting(): number {
    return this.waitingEntries.length;
  }

  /** Whether a batch is running now. */
  get busy(): boolean {
    return this.running;
  }

  /**
   * Queues one item and resolves with its own output. Waits first while `maxQueuedBatches` full
   * batches are already waiting. Lower `priority` numbers are taken first (BullMQ's convention).
   */
  async add(item: I, priority = 0, timing?: BatchTiming): Promise<O> {
    this.blockedAdds++;
    try {
      while (this.waitingEntries.length >= this.capacity) {
        await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
      }
    } finally {
      this.blockedAdds--;
    }
    return new Promise<O>((resolve, reject) => {
      this.insert({ item, priority, seq: this.seq++, arrivedAt: Date.now(), resolve, reject, timing });
      this.schedule();
    });
  }

  /**
   * Announces an item that will be added soon (e.g. being preprocessed): with `runWhenIdle`, an
   * idle runner waits (up to `maxDelayMs`) only while such items are on their way. Call the
   * returned function once, when the item has been added or will not be.
   */
  expectArrival(): () => void {
    this.arriving++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.arriving--;
      this.schedule();
    };
  }

  /** Runs what waits as soon as the runner is free, without waiting for the size or the delay. */
  flush(): void {
    if (this.waitingEntries.length === 0) return;
    this.flushRequested = true;
    this.schedule();
  }

  /** Flushes and resolves once every item handed in so far (even those still blocked) has run. */
  async drain(): Promise<void> {
    while (this.running || this.waitingEntries.length > 0 || this.blockedAdds > 0) {
      if (!this.running && this.waitingEntries.length === 0) {
        await Promise.resolve(); // an add just woken is queueing its item: let it
        continue;
      }
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      this.flush();
      await idle;
    }
  }

  private get capacity(): number {
    return this.options.maxQueuedBatches * this.options.maxSize;
  }

  /** Keeps the queue sorted by (priority, arrival) with one backwards scan (it is short). */
  private insert(entry: Entry<I, O>): void {
    let i = this.waitingEntries.length;
    while (i > 0 && this.waitingEntries[i - 1].priority > entry.priority) i--;
    this.waitingEntries.splice(i, 0, entry);
  }

  /** Starts a batch if one is due, else arms the timer for when the oldest item will be. */
  private schedule(): void {
    if (this.running || this.waitingEntries.length === 0) return;
    const oldest = this.waitingEntries.reduce((min, e) => Math.min(min, e.arrivedAt), Infinity);
    const dueInMs = oldest + this.options.maxDelayMs - Date.now();
    if (this.flushRequested || this.waitingEntries.length >= this.options.maxSize || dueInMs <= 0) {
      void this.runNext();
    } else if (this.options.runWhenIdle && this.arriving === 0) {
      // Next turn, not now: items added in this same turn (a burst) still share the batch.
      this.idleRun ??= setImmediate(() => {
        this.idleRun = undefined;
        if (!this.running && this.waitingEntries.length > 0 && this.arriving === 0) void this.runNext();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, dueInMs);
    }
  }

  private async runNext(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.idleRun) clearImmediate(this.idleRun);
    this.idleRun = undefined;
    this.running = true;
    const batch = this.waitingEntries.splice(0, this.options.maxSize);
    // Room freed: every blocked add re-checks (waking only one would starve the next batch).
    this.capacityWaiters.splice(0).forEach((wake) => wake());
    await this.runOne(batch);
    this.running = false;
    this.schedule();
    if (!this.running && this.waitingEntries.length === 0) {
      // A flush lasts until everything handed in before it (and during it) has run.
      this.flushRequested = false;
      this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }

  private async runOne(batch: Entry<I, O>[]): Promise<void> {
    let outputs: Array<O | Error>;
    const startedAt = Date.now();
    try {
      outputs = await this.run(batch.map((e) => e.item));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const entry of batch) entry.reject(error);
      return;
    }
    const endedAt = Date.now();
    batch.forEach((entry, i) => {
      if (entry.timing) {
        entry.timing.waitMs = startedAt - entry.arrivedAt;
        entry.timing.runMs = endedAt - startedAt;
      }
      const out = outputs[i];
      if (out instanceof Error) entry.reject(out);
      else if (out === undefined)
        entry.reject(new Error('The batch runner returned no output for this item.'));
      else entry.resolve(out);
    });
  }
}
