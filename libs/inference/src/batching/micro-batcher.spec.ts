import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';

/** A runner whose batches finish only when the test says so, recording what it was given. */
function controlledRunner() {
  const batches: number[][] = [];
  const finishers: Array<() => void> = [];
  const run = (items: number[]): Promise<Array<string | Error>> => {
    batches.push(items);
    return new Promise((resolve) => finishers.push(() => resolve(items.map((n) => `out-${n}`))));
  };
  return { run, batches, finishNext: () => finishers.shift()?.() };
}

/** Lets every already-settled promise continuation run (fake timers do not advance time here). */
const settle = () => jest.advanceTimersByTimeAsync(0);

describe('MicroBatcher', () => {
  const options: MicroBatcherOptions = { maxSize: 4, maxDelayMs: 10, maxQueuedBatches: 2 };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a batch as soon as maxSize items wait, without waiting for the delay', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, options);
    const outs = [1, 2, 3, 4].map((n) => batcher.add(n));
    await settle();
    expect(runner.batches).toEqual([[1, 2, 3, 4]]);
    runner.finishNext();
    await expect(Promise.all(outs)).resolves.toEqual(['out-1', 'out-2', 'out-3', 'out-4']);
  });

  it('runs a partial batch once the oldest item has waited maxDelayMs, not before', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, options);
    const first = batcher.add(1);
    await jest.advanceTimersByTimeAsync(6);
    const second = batcher.add(2);
    await jest.advanceTimersByTimeAsync(3);
    expect(runner.batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(1); // 10 ms after the first item, not after the second
    expect(runner.batches).toEqual([[1, 2]]);
    runner.finishNext();
    await expect(Promise.all([first, second])).resolves.toEqual(['out-1', 'out-2']);
  });

  it('gathers everything that arrives while a batch runs into the next batch (no small batches)', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, options);
    void batcher.add(1);
    await jest.advanceTimersByTimeAsync(10);
    expect(runner.batches).toEqual([[1]]);
    // Batch [1] is running: items trickle in far apart, each older than maxDelayMs.
    for (const n of [2, 3, 4]) {
      void batcher.add(n);
      await jest.advanceTimersByTimeAsync(25);
    }
    expect(runner.batches).toHaveLength(1);
    runner.finishNext();
    await settle();
    expect(runner.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the item whose output is an Error; its batch mates succeed', async () => {
    const batcher = new MicroBatcher<number, string>(
      async (items) => items.map((n) => (n === 2 ? new Error('bad image 2') : `out-${n}`)),
      options,
    );
    const outs = [1, 2, 3, 4].map((n) => batcher.add(n));
    const settled = await Promise.allSettled(outs);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('bad image 2'));
  });

  it('fails the whole batch, and only that batch, when the runner throws', async () => {
    let call = 0;
    const batcher = new MicroBatcher<number, string>(async (items) => {
      call++;
      if (call === 1) throw new Error('session crashed');
      return items.map((n) => `out-${n}`);
    }, options);
    const first = [1, 2, 3, 4].map((n) => batcher.add(n));
    const second = [5, 6].map((n) => batcher.add(n));
    const firstSettled = await Promise.allSettled(first);
    expect(firstSettled.every((s) => s.status === 'rejected' && s.reason.message === 'session crashed')).toBe(
      true,
    );
    await jest.advanceTimersByTimeAsync(10);
    await expect(Promise.all(second)).resolves.toEqual(['out-5', 'out-6']);
  });

  it('rejects an item the runner gave no output for', async () => {
    const batcher = new MicroBatcher<number, string>(async () => ['only-one'], { ...options, maxSize: 2 });
    const settled = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'only-one' });
    expect(settled[1].status).toBe('rejected');
  });

  it('makes add wait while maxQueuedBatches full batches wait, and lets all blocked adds in when room frees', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, { maxSize: 2, maxDelayMs: 10, maxQueuedBatches: 2 });
    const outs = [1, 2].map((n) => batcher.add(n)); // runs at once
    await settle();
    const queued = [3, 4, 5, 6].map((n) => batcher.add(n)); // two full batches waiting
    await settle();
    expect(batcher.waiting).toBe(4);
    let blockedDone = 0;
    const blocked = [7, 8].map((n) => batcher.add(n).then((v) => (blockedDone++, v)));
    await jest.advanceTimersByTimeAsync(100);
    expect(batcher.waiting).toBe(4); // 7 and 8 are held back, not queued
    runner.finishNext(); // [1,2] ends; [3,4] starts; room for one batch: both blocked adds enter
    await settle();
    expect(runner.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(batcher.waiting).toBe(4);
    for (let i = 0; i < 3; i++) {
      runner.finishNext();
      await settle();
    }
    expect(runner.batches).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    await expect(Promise.all([...outs, ...queued, ...blocked])).resolves.toHaveLength(8);
    expect(blockedDone).toBe(2);
  });

  it('takes lower priority numbers first, in arrival order within a priority', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, { ...options, maxSize: 2, maxQueuedBatches: 3 });
    void batcher.add(1, 10);
    void batcher.add(2, 10); // runs at once
    await settle();
    for (const [n, p] of [
      [3, 10],
      [4, 10],
      [5, 1],
      [6, 10],
      [7, 1],
    ])
      void batcher.add(n, p);
    for (let i = 0; i < 4; i++) {
      runner.finishNext();
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(runner.batches).toEqual([[1, 2], [5, 7], [3, 4], [6]]);
  });

  it('drain runs everything handed in, at once and without waiting for the delay, even adds still blocked', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, { maxSize: 2, maxDelayMs: 60_000, maxQueuedBatches: 1 });
    const outs = [1, 2, 3, 4, 5].map((n) => batcher.add(n)); // [1,2] runs, [3,4] waits, 5 blocked
    await settle();
    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    for (let i = 0; i < 3; i++) {
      await settle();
      expect(drained).toBe(false);
      runner.finishNext();
    }
    await draining;
    expect(runner.batches).toEqual([[1, 2], [3, 4], [5]]);
    await expect(Promise.all(outs)).resolves.toEqual(['out-1', 'out-2', 'out-3', 'out-4', 'out-5']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drain resolves at once when nothing is waiting or running', async () => {
    const batcher = new MicroBatcher<number, string>(async (items) => items.map(String), options);
    await expect(batcher.drain()).resolves.toBeUndefined();
  });

  it('with runWhenIdle, runs a lone item on the next turn when nothing else is on its way', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, { ...options, maxDelayMs: 60_000, runWhenIdle: true });
    const outs = [batcher.add(1), batcher.add(2)]; // one burst: one batch
    await settle();
    expect(runner.batches).toEqual([[1, 2]]);
    runner.finishNext();
    await expect(Promise.all(outs)).resolves.toEqual(['out-1', 'out-2']);
  });

  it('with runWhenIdle, waits (up to maxDelayMs) only while an announced item is on its way', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, { ...options, maxDelayMs: 50, runWhenIdle: true });
    const arrived = batcher.expectArrival();
    const first = batcher.add(1);
    await jest.advanceTimersByTimeAsync(20);
    expect(runner.batches).toEqual([]);
    const second = batcher.add(2);
    arrived();
    await settle();
    expect(runner.batches).toEqual([[1, 2]]);
    runner.finishNext();
    await expect(Promise.all([first, second])).resolves.toEqual(['out-1', 'out-2']);
    // An announced item that never comes holds a batch back no longer than maxDelayMs.
    batcher.expectArrival();
    const third = batcher.add(3);
    await jest.advanceTimersByTimeAsync(49);
    expect(runner.batches).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches).toEqual([[1, 2], [3]]);
    runner.finishNext();
    await expect(third).resolves.toBe('out-3');
  });

  it('reports how long each item waited for its batch and how long the batch ran', async () => {
    const runner = controlledRunner();
    const batcher = new MicroBatcher(runner.run, options);
    const timing = { waitMs: -1, runMs: -1 };
    const out = batcher.add(1, 0, timing);
    await jest.advanceTimersByTimeAsync(10);
    await jest.advanceTimersByTimeAsync(7);
    runner.finishNext();
    await out;
    expect(timing).toEqual({ waitMs: 10, runMs: 7 });
  });

  it('refuses nonsensical options', () => {
    const run = async () => [];
    expect(() => new MicroBatcher(run, { ...options, maxSize: 0 })).toThrow(/maxSize/);
    expect(() => new MicroBatcher(run, { ...options, maxQueuedBatches: 0 })).toThrow(/maxQueuedBatches/);
  });
});
