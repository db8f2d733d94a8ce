import type { Batch } from '../batches/batch.types';
import type { DomainEventType } from '../events/domain-events';
import type { Prediction } from '../prediction.types';

/** The webhook event types of CONTRACT.md "Webhooks", one per announced state change. */
export const WEBHOOK_EVENT_TYPES = [
  'prediction.succeeded',
  'prediction.failed',
  'batch.completed',
] as const satisfies readonly DomainEventType[];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The public batch object (CONTRACT.md), as webhooks send it; the batch API owns the record. */
export type BatchObject = Batch;

/** The body POSTed to a receiver: `{"type", "timestamp", "data"}`. */
export interface WebhookEventBody {
  type: WebhookEventType;
  timestamp: string;
  data: Prediction | BatchObject;
}

export const deliveryStatuses = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** The public delivery object (CONTRACT.md "Delivery object"). */
export interface Delivery {
  id: string;
  event_type: WebhookEventType;
  webhook_id: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
}

/** What we keep beside the public object, never shown to clients. */
export interface DeliveryInternals {
  tenant: string;
  /** The exact JSON body, frozen at dispatch so every attempt and redelivery sends the same bytes. */
  payload: string;
  /** The one deliver job allowed to act on this delivery now; older chains' jobs find themselves stale. */
  job: string;
  /** How many attempt chains were started (0 for the first, +1 per redelivery). */
  chain: number;
  /** The prediction or batch it tells about; null for a delivery created before it was kept. */
  subject: string | null;
}

export type DeliveryRecord = Delivery & DeliveryInternals;

export function toPublicDelivery(record: DeliveryRecord): Delivery {
  return {
    id: record.id,
    event_type: record.event_type,
    webhook_id: record.webhook_id,
    url: record.url,
    status: record.status,
    attempts: record.attempts,
    last_status_code: record.last_status_code,
    last_error: record.last_error,
    next_attempt_at: record.next_attempt_at,
    created_at: record.created_at,
  };
}
