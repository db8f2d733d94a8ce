import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { BusyMeter } from '@dermafleet/inference';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { BusyRatioWindow } from './busy-ratio.window';

const LOG_EVERY_MS = 60_000;

/**
 * The worker's metrics. session_busy_ratio = time in session.run / wall time over the last
 * window: near 1 means the GPU is fed; well below 1 with a backlog means preprocessing starves it.
 * The busy-seconds counter gives the same over any range in Prometheus (rate()).
 */
@Injectable()
export class WorkerMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private meter: BusyMeter | undefined;
  private gaugeWindow: BusyRatioWindow | undefined;
  private logWindow: BusyRatioWindow | undefined;
  private busySecondsCounted = 0;
  private timer: NodeJS.Timeout | undefined;

  private readonly busyRatio: Gauge = new Gauge({
    name: 'dermafleet_worker_session_busy_ratio',
    help: 'Fraction of wall time the model session spent running batches since the previous scrape (window of 1 s or more)',
    registers: [this.registry],
    collect: () => this.busyRatio.set(this.sessionBusyRatio('gauge')),
  });
  private readonly busySeconds: Counter = new Counter({
    name: 'dermafleet_worker_session_busy_seconds_total',
    help: 'Seconds the model session spent running batches',
    registers: [this.registry],
    collect: () => {
      const total = (this.meter?.busyMs ?? 0) / 1000;
      this.busySeconds.inc(total - this.busySecondsCounted);
      this.busySecondsCounted = total;
    },
  });
  private readonly images: Gauge = new Gauge({
    name: 'dermafleet_worker_images_inferred',
    help: 'Images run through the session since start',
    registers: [this.registry],
    collect: () => this.images.set(this.meter?.images ?? 0),
  });
  private readonly packSeconds: Gauge = new Gauge({
    name: 'dermafleet_worker_input_pack_seconds',
    help: 'Seconds the session thread spent normalising prepared inputs into batches since start',
    registers: [this.registry],
    collect: () => this.packSeconds.set((this.meter?.packMs ?? 0) / 1000),
  });
  private readonly batches: Gauge = new Gauge({
    name: 'dermafleet_worker_batches_run',
    help: 'Micro-batches run since start',
    registers: [this.registry],
    collect: () => this.batches.set(this.meter?.batches ?? 0),
  });
  private readonly jobs = new Counter({
    name: 'dermafleet_worker_jobs_total',
    help: 'Jobs finished by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'dermafleet_worker_' });
  }

  /** Starts reporting on a classifier's meter (after its warm-up, which the meter does not count). */
  watch(classifier: { meter: BusyMeter }): void {
    this.meter = classifier.meter;
    const now = performance.now();
    this.gaugeWindow = new BusyRatioWindow(this.meter.busyMs, now);
    this.logWindow = new BusyRatioWindow(this.meter.busyMs, now);
    this.timer = setInterval(() => this.logLine(), LOG_EVERY_MS);
    this.timer.unref();
  }

  jobDone(outcome: string): void {
    this.jobs.inc({ outcome });
  }

  /** The ratio over one reader's own window (the gauge's, or the log line's). */
  sessionBusyRatio(reader: 'gauge' | 'log'): number {
    const window = reader === 'gauge' ? this.gaugeWindow : this.logWindow;
    return this.meter && window ? window.sample(this.meter.busyMs, performance.now()) : 0;
  }

  private logLine(): void {
    const meter = this.meter;
    const avgBatch = meter && meter.batches > 0 ? meter.images / meter.batches : 0;
    this.logger.log(
      `session_busy_ratio=${this.sessionBusyRatio('log').toFixed(3)} images=${meter?.images ?? 0} ` +
        `batches=${meter?.batches ?? 0} avg_batch=${avgBatch.toFixed(1)}`,
    );
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
