import { type Explanation, ExplanationRepository, explainJobOptions } from '@dermafleet/jobs';
import type { Queue } from 'bullmq';

/** How often one explanation may be re-enqueued before it is failed instead (a poison image). */
const MAX_REQUEUES = 3;

/**
 * Repairs an unfinished explanation whose job is gone, whenever it is read (the only way anyone
 * observes it). Two crash windows leave one: the API died between writing the `queued` record
 * and adding the job (re-enqueued: the job id is one per prediction, so racing a live POST is a
 * no-op), or the job took its worker down until BullMQ's stall limit failed it without our
 * handler running (the record still says `processing`: failed with `worker_crashed`). A record
 * re-enqueued MAX_REQUEUES times fails the same way, so a poison image cannot loop forever.
 */
export async function recoverExplanation(
  record: Pick<Explanation, 'status'> & { tenant: string; prediction_id: string },
  explanations: ExplanationRepository,
  inference: Queue,
): Promise<boolean> {
  if (record.status !== 'queued' && record.status !== 'processing') return false;
  const id = record.prediction_id;
  const options = explainJobOptions(id);
  if (await inference.getJob(options.jobId as string)) return false;
  const crashed = {
    code: 'worker_crashed',
    message: 'The explanation took its worker down on every attempt; ask again to retry it.',
  };
  const requeues = record.status === 'processing' ? 0 : await explanations.countRequeue(id);
  if (requeues === null) return false; // erased since it was read
  if (record.status === 'processing' || requeues > MAX_REQUEUES) {
    await explanations.markFailed(id, crashed);
    return true;
  }
  await inference.add('explain', { predictionId: id, tenant: record.tenant }, options);
  return true;
}
