import { Counter, register } from 'prom-client';

/**
 * Delivery attempts by result: `succeeded`, or the last_error code of a failed attempt
 * (destination_forbidden, timeout, connection_failed, ...), a small fixed set of label values.
 * Looked up first so several API apps in one process (tests) share the one registered counter.
 */
export const webhookAttempts =
  (register.getSingleMetric('dermafleet_webhook_attempts_total') as Counter<'result'> | undefined) ??
  new Counter({
    name: 'dermafleet_webhook_attempts_total',
    help: 'Webhook delivery attempts, by result',
    labelNames: ['result'],
  });
