import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

let started = false;

/** Process metrics under our prefix; idempotent so tests can build several apps in one process. */
export function startApiMetrics(): void {
  if (started) return;
  started = true;
  collectDefaultMetrics({ prefix: 'dermafleet_api_' });
}

export const predictionsAccepted =
  (register.getSingleMetric('dermafleet_predictions_accepted_total') as Counter<'priority'> | undefined) ??
  new Counter({
    name: 'dermafleet_predictions_accepted_total',
    help: 'Images accepted for classification',
    labelNames: ['priority'],
  });

export const waitingRequests =
  (register.getSingleMetric('dermafleet_api_waiting_requests') as Gauge | undefined) ??
  new Gauge({
    name: 'dermafleet_api_waiting_requests',
    help: 'Requests held by ?wait= for a prediction to become final, now',
  });

/**
 * Per-stage seconds in the API: `upload` (request received -> accepted: multipart parsing, checks,
 * S3 put, record, enqueue) and `end_to_end` (request received -> answered with a final prediction,
 * for POST ?wait= requests that ended in time). The worker's stages are in its own metrics.
 */
export const apiStageSeconds =
  (register.getSingleMetric('dermafleet_api_stage_seconds') as Histogram<'stage'> | undefined) ??
  new Histogram({
    name: 'dermafleet_api_stage_seconds',
    help: 'Seconds one prediction spent in each API stage (upload, end_to_end)',
    labelNames: ['stage'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
