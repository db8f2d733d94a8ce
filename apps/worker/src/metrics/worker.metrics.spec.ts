import { Logger } from '@nestjs/common';
import { BusyMeter } from '@dermafleet/inference';
import { WorkerMetrics } from './worker.metrics';

describe('WorkerMetrics: session_busy_ratio', () => {
  let metrics: WorkerMetrics;
  let meter: BusyMeter;
  let log: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers();
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    metrics = new WorkerMetrics();
    meter = new BusyMeter();
    meter.busyMs = 5_000; // the warm-up and earlier work: not part of any window
    metrics.watch({ meter });
  });
  afterEach(() => {
    metrics.onApplicationShutdown();
    log.mockRestore();
    jest.useRealTimers();
  });

  /** The session ran `busyMs` out of the next `wallMs` milliseconds. */
  function spend(busyMs: number, wallMs: number, images = 8, batches = 1): void {
    meter.busyMs += busyMs;
    meter.images += images;
    meter.batches += batches;
    jest.advanceTimersByTime(wallMs);
  }

  const gauge = async (): Promise<number> =>
    Number(/^dermafleet_worker_session_busy_ratio (\S+)$/m.exec(await metrics.registry.metrics())?.[1]);

  it('is exported on /metrics, over the window since the previous scrape', async () => {
    spend(9_000, 10_000);
    expect(await gauge()).toBeCloseTo(0.9, 6);
    spend(2_500, 10_000);
    expect(await gauge()).toBeCloseTo(0.25, 6);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^dermafleet_worker_session_busy_seconds_total 16.5$/m);
    expect(text).toMatch(/^dermafleet_worker_images_inferred 16$/m);
  });

  it('is logged once a minute over its own window, which scrapes in between do not shorten', async () => {
    spend(30_000, 40_000); // 40 s into the minute
    await gauge(); // a Prometheus scrape
    spend(15_000, 20_000, 8, 1); // the minute ends
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBe('session_busy_ratio=0.750 images=16 batches=2 avg_batch=8.0');
    spend(60_000, 60_000, 32, 2);
    expect(log.mock.calls[1][0]).toBe('session_busy_ratio=1.000 images=48 batches=4 avg_batch=12.0');
  });

  it('answers 0 before a model is watched (preprocess pods have none)', async () => {
    const bare = new WorkerMetrics();
    expect(bare.sessionBusyRatio('gauge')).toBe(0);
    expect(await bare.registry.metrics()).toMatch(/^dermafleet_worker_session_busy_ratio 0$/m);
  });
});
