import { Histogram, type Registry } from 'prom-client';

/** The stages one prediction goes through in a worker, in order. */
export type WorkerStage =
  | 'queue_wait' // enqueued -> taken by a worker
  | 'fetch' // image bytes read (Redis hot copy or S3)
  | 'preprocess' // decode + resize + normalise (pool thread, queueing included)
  | 'batch_wait' // preprocessed -> its micro-batch starts
  | 'inference' // its micro-batch's session run
  | 'write_back' // final state committed (and notified), then its S3 copy and events relayed
  | 'end_to_end'; // record created -> final state written

/** Buckets from 1 ms to 30 s: interactive stages are milliseconds, a backlog's queue wait minutes. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function stageHistogram(registry: Registry): Histogram<'stage'> {
  return new Histogram({
    name: 'dermafleet_worker_stage_seconds',
    help: 'Seconds one prediction spent in each stage of the worker (see WorkerStage)',
    labelNames: ['stage'],
    buckets: BUCKETS,
    registers: [registry],
  });
}
