import { RedisKeys } from '../redis-keys';
import type { DeliveryStatus } from './webhook-event.types';

/**
 * Redis keys of the webhook part, under the deployment's KEY_PREFIX (beside RedisKeys' records).
 * Tenant names are restricted to [A-Za-z0-9_-] by configuration, so they cannot forge a key.
 */
export class WebhookKeys {
  private readonly records: RedisKeys;

  constructor(private readonly prefix: string) {
    this.records = new RedisKeys(prefix);
  }

  /** Hash: one delivery record. */
  delivery(id: string): string {
    return `${this.prefix}:dlv:${id}`;
  }

  /** Sorted set (all scores 0, members `<created ms>|<id>`): a tenant's deliveries by age. */
  deliveryIndex(tenant: string, status: DeliveryStatus | 'all'): string {
    return `${this.prefix}:dlv-idx:${tenant}:${status}`;
  }

  /** String: webhook-id -> delivery id, so dispatching one event twice creates one delivery. */
  deliveryByMessage(tenant: string, webhookId: string): string {
    return `${this.prefix}:dlv-msg:${tenant}:${webhookId}`;
  }

  /**
   * Set: the deliveries of one subject (a prediction or batch id), living as long as the longest
   * of them: what erasure finds them by once the subject's own record has expired (it no longer
   * knows the URLs their message keys are derived from).
   */
  deliveriesOf(tenant: string, subjectId: string): string {
    return `${this.prefix}:dlv-of:${tenant}:${subjectId}`;
  }

  /**
   * The record of a delivery's subject (its prediction or batch hash), which a delivery may be
   * created for only while it exists and is not being erased.
   */
  subjectRecord(subjectId: string): string {
    return subjectId.startsWith('bat_') ? this.records.batch(subjectId) : this.records.prediction(subjectId);
  }

  /** String: a tenant's generated signing secret (configured ones never touch Redis). */
  generatedSecret(tenant: string): string {
    return `${this.prefix}:whsec:${tenant}`;
  }
}
