import { Injectable } from '@nestjs/common';
import { OutboxRelay } from '@dermafleet/jobs';

/**
 * Relays what the API's own state changes owe (cached results, upload_missing at seal, refused
 * direct uploads, a seal that completes a batch): the Lua call that changed the state already put
 * its events and S3 copy in the outbox; this writes them now. A failure here is not the
 * request's: the change is committed, and the reconciler relays the entries later.
 */
@Injectable()
export class PredictionEventsService {
  constructor(private readonly relay: OutboxRelay) {}

  async relayNow(outbox: readonly string[]): Promise<void> {
    await this.relay.relayNow(outbox);
  }
}
