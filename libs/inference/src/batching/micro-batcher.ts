export interface MicroBatcherOptions {
  /** Flush when this many items are waiting (BATCH_MAX_SIZE). */
  maxSize: number;
  /** ...or this long after the first item of a batch arrived (BATCH_MAX_DELAY_MS). */
  maxDelayMs: number;
  /** Flushed batches allowed to wait for the runner; `add` waits beyond that (backpressure). */
  maxQueuedBatches: number;
}

/** Runs one batch; returns one output or Error per item, in order (an Error fails only its item). */
export type BatchRunner<I, O> = (items: I[]) => Promise<Array<O | Error>>;

interface Entry<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: Error) => void;
}

/**
 * A dynamic micro-batcher (like Triton's): items gather until `maxSize` or `maxDelayMs` after
 * the first, whichever comes first; batches run one at a time in arrival order, so the next
 * batch fills (and its inputs are prepared) while the current one runs.
 */
export class MicroBatcher<I, O> {
  private current: Entry<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly ready: Entry<I, O>[][] = [];
  private running = false;
  private idleWaiters: Array<() => void> = [];
  private capacityWaiters: Array<() => void> = [];

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly options: MicroBatcherOptions,
  ) {
    if (options.maxSize < 1) throw new Error('maxSize must be at least 1');
  }

  /** Items waiting in the batch being gathered. */
  get gathering(): number {
    return this.current.length;
  }

  /** Flushed batches waiting for the runner (not counting the one running). */
  get queuedBatches(): number {
    return this.ready.length;
  }

  async add(item: I): Promise<O> {
    while (this.ready.length >= this.options.maxQueuedBatches) {
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    }
    return new Promise<O>((resolve, reject) => {
      this.current.push({ item, resolve, reject });
      if (this.current.length >= this.options.maxSize) this.flush();
      else if (this.current.length === 1) this.timer = setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  /** Sends what is gathered now, without waiting for the size or the delay. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current.length === 0) return;
    this.ready.push(this.current);
    this.current = [];
    void this.pump();
  }

  /** Flushes and resolves once every batch handed in so far has run (shutdown). */
  async drain(): Promise<void> {
    this.flush();
    if (!this.running && this.ready.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.ready.length > 0) {
      const batch = this.ready.shift()!;
      this.releaseCapacity();
      await this.runOne(batch);
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private releaseCapacity(): void {
    const waiter = this.capacityWaiters.shift();
    if (waiter) waiter();
  }

  private async runOne(batch: Entry<I, O>[]): Promise<void> {
    let outputs: Array<O | Error>;
    try {
      outputs = await this.run(batch.map((e) => e.item));
    } catch (err) {
      for (const entry of batch) entry.reject(err as Error);
      return;
    }
    batch.forEach((entry, i) => {
      const out = outputs[i];
      if (out instanceof Error) entry.reject(out);
      else if (out === undefined) entry.reject(new Error('The batch runner returned no output for this item.'));
      else entry.resolve(out);
    });
  }
}
