import type { ApiClient } from '../api-client/api-client';
import type { Batch } from '../api-client/api.types';
import { sleep } from '../api-client/http-retry';

/** Predictions of a batch that ended without a result: failed, or canceled before they ran. */
export function unclassified(batch: Batch): number {
  return batch.counts.failed + (batch.counts.canceled ?? 0);
}

/** One human line of progress for a batch. */
export function batchLine(batch: Batch): string {
  const c = batch.counts;
  const canceled = c.canceled ?? 0; // an API from before cancel has no such count
  const ended = c.succeeded + c.failed + canceled;
  const percent = c.total ? ` (${((100 * ended) / c.total).toFixed(1)}%)` : '';
  return (
    `${batch.id}${batch.name ? ` "${batch.name}"` : ''}: ${batch.status}, ${ended}/${c.total} done${percent}: ` +
    `${c.succeeded} succeeded, ${c.failed} failed, ${c.processing} processing, ${c.queued} queued` +
    (canceled ? `, ${canceled} canceled` : '')
  );
}

/**
 * Follows the batch until it is completed, one long-poll (`GET ?wait=`) of `everyMs` at a time:
 * the API answers the moment the batch completes (its completion is notified), else after
 * `everyMs` with the progress to show. `onChange` hears each new state. Returns the completed
 * batch. An API without ?wait= answers at once: the rest of the interval is slept, never a
 * tight loop.
 */
export async function waitForCompletion(
  api: ApiClient,
  batchId: string,
  onChange: (batch: Batch) => void,
  everyMs = 2000,
): Promise<Batch> {
  let last = '';
  for (;;) {
    const started = Date.now();
    const batch = await api.getBatch(batchId, everyMs / 1000);
    const line = batchLine(batch);
    if (line !== last) onChange(batch);
    last = line;
    if (batch.status === 'completed') return batch;
    await sleep(Math.max(0, everyMs - (Date.now() - started)));
  }
}
