import type { ApiClient } from '../api-client/api-client';
import type { Batch } from '../api-client/api.types';
import { sleep } from '../api-client/http-retry';

/** One human line of progress for a batch. */
export function batchLine(batch: Batch): string {
  const c = batch.counts;
  const ended = c.succeeded + c.failed;
  const percent = c.total ? ` (${((100 * ended) / c.total).toFixed(1)}%)` : '';
  return (
    `${batch.id}${batch.name ? ` "${batch.name}"` : ''}: ${batch.status}, ${ended}/${c.total} done${percent}: ` +
    `${c.succeeded} succeeded, ${c.failed} failed, ${c.processing} processing, ${c.queued} queued`
  );
}

/**
 * Polls the batch every `everyMs` (sleeping between polls) until it is completed; `onChange` hears
 * each new state. Returns the completed batch.
 */
export async function waitForCompletion(
  api: ApiClient,
  batchId: string,
  onChange: (batch: Batch) => void,
  everyMs = 2000,
): Promise<Batch> {
  let last = '';
  for (;;) {
    const batch = await api.getBatch(batchId);
    const line = batchLine(batch);
    if (line !== last) onChange(batch);
    last = line;
    if (batch.status === 'completed') return batch;
    await sleep(everyMs);
  }
}
