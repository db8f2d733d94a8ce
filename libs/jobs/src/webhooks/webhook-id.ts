import { createHash } from 'node:crypto';
import type { WebhookEventType } from './webhook-event.types';

/**
 * The `webhook-id` of one event to one destination. Derived, not random: dispatching the same
 * event again (a retried job, a re-announcement) yields the same id, which receivers de-duplicate on.
 * `occurredAt` tells two occurrences of one event type apart: a batch that completes again after a
 * retry, a retried prediction that fails again, is news, not a duplicate.
 */
export function webhookIdFor(
  type: WebhookEventType,
  subjectId: string,
  url: string,
  occurredAt: string,
): string {
  const digest = createHash('sha256')
    .update(`${type}:${subjectId}:${url}:${occurredAt}`, 'utf8')
    .digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}
