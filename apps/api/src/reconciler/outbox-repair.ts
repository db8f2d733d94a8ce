import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import {
  dispatchJobId,
  Outbox,
  OutboxRelay,
  parseErasureMember,
  parseOutboxMember,
  QueueName,
} from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { ErasureRelay } from '../erasure/erasure.relay';

/**
 * Finishes an outbox entry whose fast path did not (the process died right after the state
 * change, S3 was down for the copy, Redis dropped the dispatch). A copy is simply written again;
 * an event is checked against its dispatch job: done (completed) removes the entry, failed is
 * retried (a dispatch job that ran out of attempts is never dropped silently), missing is
 * enqueued again, anything else is still in hand and looked at later.
 */
@Injectable()
export class OutboxRepair {
  constructor(
    private readonly outbox: Outbox,
    private readonly relay: OutboxRelay,
    private readonly erasure: ErasureRelay,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue,
  ) {}

  async repair(member: string): Promise<void> {
    // Erasure's members (rm|, job|, img|): an object, a job or an image still to remove.
    const erasure = parseErasureMember(member);
    if (erasure) return this.erasure.relay(erasure);
    const entry = parseOutboxMember(member);
    if (!entry) return this.outbox.remove(member);
    if (entry.kind === 'copy' || entry.kind === 'batchCopy') return this.relay.relay(entry);
    const job = await this.webhooks.getJob(dispatchJobId(entry.event));
    const state = job ? await job.getState() : 'missing';
    if (state === 'completed') return this.outbox.remove(member);
    if (job && state === 'failed') {
      await job.retry('failed');
      return this.outbox.postpone(member);
    }
    if (state === 'missing' || state === 'unknown') return this.relay.relay(entry);
    return this.outbox.postpone(member);
  }
}
