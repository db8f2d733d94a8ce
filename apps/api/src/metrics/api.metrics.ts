import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';

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
