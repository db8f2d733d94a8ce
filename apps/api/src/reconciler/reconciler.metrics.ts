import { Counter, register } from 'prom-client';

/**
 * What the reconciler repaired, by kind: `requeued` (a prediction without a job), `worker_crashed`
 * and `inference_failed` (failed for good), `upload_missing_sweep` (a sealed batch's missing
 * uploads), `outbox` (a copy or event the fast path did not relay). A steady rate means some
 * process keeps dying between steps: worth an alert. Looked up first so several API apps in one
 * process (tests) share the one registered counter.
 */
export const reconcilerRepairs =
  (register.getSingleMetric('dermafleet_reconciler_repairs_total') as Counter<'kind'> | undefined) ??
  new Counter({
    name: 'dermafleet_reconciler_repairs_total',
    help: 'Repairs made by the reconciler, by kind',
    labelNames: ['kind'],
  });
