import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ImageClassifier } from '@dermafleet/inference';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

const LOG_EVERY_MS = 60_000;

/**
 * The worker's metrics. session_busy_ratio = time in session.run / wall time since the last
 * sample: near 1 means the GPU is fed; well below 1 with a backlog means preprocessing starves it.
 */
@Injectable()
export class WorkerMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly busyRatio = new Gauge({
    name: 'dermafleet_worker_session_busy_ratio',
    help: 'Fraction of wall time the model session spent running batches, over the last sample window',
    registers: [this.registry],
    collect: () => this.sample(),
  });
  private readonly jobs = new Counter({
    name: 'dermafleet_worker_jobs_total',
    help: 'Jobs finished by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly images: Gauge = new Gauge({
    name: 'dermafleet_worker_images_inferred',
    help: 'Images run through the session since start',
    registers: [this.registry],
    collect: (): void => this.images.set(this.classifier?.meter.images ?? 0),
  });
  private readonly batches: Gauge = new Gauge({
    name: 'dermafleet_worker_batches_run',
    help: 'Micro-batches run since start',
    registers: [this.registry],
    collect: (): void => this.batches.set(this.classifier?.meter.batches ?? 0),
  });
  private classifier: ImageClassifier | undefined;
  private lastAt = performance.now();
  private lastBusyMs = 0;
  private lastRatio = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'dermafleet_worker_' });
  }

  watch(classifier: ImageClassifier): void {
    this.classifier = classifier;
    this.lastAt = performance.now();
    this.lastBusyMs = classifier.meter.busyMs;
    this.timer = setInterval(() => this.logLine(), LOG_EVERY_MS);
    this.timer.unref();
  }

  jobDone(outcome: string): void {
    this.jobs.inc({ outcome });
  }

  /** Ratio since the previous sample (or the last known one if sampled twice in a row). */
  sessionBusyRatio(): number {
    const now = performance.now();
    const busy = this.classifier?.meter.busyMs ?? 0;
    const wall = now - this.lastAt;
    if (wall >= 1000) {
      this.lastRatio = Math.min(1, (busy - this.lastBusyMs) / wall);
      this.lastAt = now;
      this.lastBusyMs = busy;
    }
    return this.lastRatio;
  }

  private sample(): void {
    this.busyRatio.set(this.sessionBusyRatio());
  }

  private logLine(): void {
    const meter = this.classifier?.meter;
    this.logger.log(
      `session_busy_ratio=${this.sessionBusyRatio().toFixed(3)} images=${meter?.images ?? 0} batches=${meter?.batches ?? 0}`,
    );
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
