import type { Redis } from 'ioredis';
import { newId } from '../ids';
import { CREATE_DELIVERY, TRANSITION_DELIVERY } from './delivery.scripts';
import { decodeDeliveryCursor, encodeDeliveryCursor, indexMember } from './delivery-cursor';
import { DeliveryRecord, DeliveryStatus, deliveryStatuses, WebhookEventType } from './webhook-event.types';
import { WebhookKeys } from './webhook.keys';

type Hash = Record<string, string>;

export interface NewDelivery {
  tenant: string;
  eventType: WebhookEventType;
  webhookId: string;
  /** The prediction or batch the event tells about. */
  subjectId: string;
  url: string;
  payload: string;
}

/** What a finished attempt changes; `status` pending means "retry at next_attempt_at". */
export interface AttemptUpdate {
  status: DeliveryStatus;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
}

export interface DeliveryPage {
  deliveries: DeliveryRecord[];
  nextCursor: string | null;
}

/** The deliver job id of a delivery's attempt chain (no ':' in BullMQ custom ids). */
export function deliverJobId(deliveryId: string, chain: number): string {
  return `${deliveryId}-r${chain}`;
}

function parse(hash: Hash): DeliveryRecord {
  return {
    id: hash.id,
    event_type: hash.event_type as WebhookEventType,
    webhook_id: hash.webhook_id,
    url: hash.url,
    status: hash.status as DeliveryStatus,
    attempts: Number(hash.attempts),
    last_status_code: hash.last_status_code ? Number(hash.last_status_code) : null,
    last_error: hash.last_error || null,
    next_attempt_at: hash.next_attempt_at || null,
    created_at: hash.created_at,
    tenant: hash.tenant,
    payload: hash.payload,
    job: hash.job,
    chain: Number(hash.chain),
    subject: hash.subject || null,
  };
}

/**
 * The per-tenant delivery log: one Redis hash per delivery (expiring after the retention) and
 * sorted-set indexes per tenant (all, and one per status) for newest-first cursor pagination.
 */
export class DeliveryRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: WebhookKeys,
    private readonly retentionSeconds: number,
  ) {}

  /**
   * Creates the delivery of one event to one URL, or finds the one an earlier dispatch created;
   * null when its subject is gone (erased, or being erased) and nothing may carry its payload.
   */
  async createOnce(
    input: NewDelivery,
    now = new Date(),
  ): Promise<{ record: DeliveryRecord; created: boolean } | null> {
    const id = newId('dlv');
    const member = indexMember(now.getTime(), id);
    const trimBelow = indexMember(now.getTime() - this.retentionSeconds * 1000, '');
    const fields: Hash = {
      id,
      tenant: input.tenant,
      event_type: input.eventType,
      webhook_id: input.webhookId,
      url: input.url,
      status: 'pending',
      attempts: '0',
      last_status_code: '',
      last_error: '',
      next_attempt_at: now.toISOString(),
      created_at: now.toISOString(),
      payload: input.payload,
      job: deliverJobId(id, 0),
      chain: '0',
      idx_member: member,
      subject: input.subjectId,
    };
    const [created, existingId] = (await this.redis.eval(
      CREATE_DELIVERY,
      8,
      this.keys.deliveryByMessage(input.tenant, input.webhookId),
      this.keys.delivery(id),
      ...this.indexKeys(input.tenant, ['all', ...deliveryStatuses]),
      this.keys.deliveriesOf(input.tenant, input.subjectId),
      this.keys.subjectRecord(input.subjectId),
      id,
      member,
      this.retentionSeconds,
      trimBelow,
      ...Object.entries(fields).flat(),
    )) as [number, string];
    if (created === -1) return null;
    const record = await this.get(input.tenant, existingId);
    if (!record) throw new Error(`Delivery ${existingId} vanished right after it was created or found.`);
    return { record, created: created === 1 };
  }

  /** The record, or null when unknown, expired, or another tenant's (indistinguishable on purpose). */
  async get(tenant: string, id: string): Promise<DeliveryRecord | null> {
    if (!/^dlv_[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
    const hash = await this.redis.hgetall(this.keys.delivery(id));
    return hash.id && hash.tenant === tenant ? parse(hash) : null;
  }

  /** Records a finished attempt, if `job` still owns the delivery; false when it no longer does. */
  async recordAttempt(record: DeliveryRecord, job: string, update: AttemptUpdate): Promise<boolean> {
    return this.transition(record, job, update.status, 1, {
      last_status_code: update.lastStatusCode === null ? '' : String(update.lastStatusCode),
      last_error: update.lastError ?? '',
      next_attempt_at: update.nextAttemptAt ? update.nextAttemptAt.toISOString() : '',
    });
  }

  /** Starts a new attempt chain (same webhook-id and body); null when a concurrent call won. */
  async restart(record: DeliveryRecord, now = new Date()): Promise<DeliveryRecord | null> {
    const chain = record.chain + 1;
    const job = deliverJobId(record.id, chain);
    const fields = { job, chain: String(chain), next_attempt_at: now.toISOString() };
    if (!(await this.transition(record, record.job, 'pending', 0, fields))) return null;
    return { ...record, status: 'pending', job, chain, next_attempt_at: fields.next_attempt_at };
  }

  /** Newest first; `status` filters; `cursor` is the previous page's next_cursor. */
  async list(
    tenant: string,
    options: { status?: DeliveryStatus; cursor?: string; limit: number },
  ): Promise<DeliveryPage> {
    const index = this.keys.deliveryIndex(tenant, options.status ?? 'all');
    const start = options.cursor ? `(${decodeDeliveryCursor(options.cursor)}` : '+';
    const members = await this.redis.zrevrangebylex(index, start, '-', 'LIMIT', 0, options.limit + 1);
    const page = members.slice(0, options.limit);
    const pipeline = this.redis.pipeline();
    for (const member of page) pipeline.hgetall(this.keys.delivery(member.slice(member.indexOf('|') + 1)));
    const hashes = ((await pipeline.exec()) ?? []).map(([err, value]) => {
      // A failed read is an error, not an expired record: never drop index entries on it.
      if (err) throw err;
      return value as Hash;
    });
    const deliveries: DeliveryRecord[] = [];
    const expired: string[] = [];
    hashes.forEach((hash, i) => {
      if (!hash?.id || hash.tenant !== tenant) expired.push(page[i]);
      else if (!options.status || hash.status === options.status) deliveries.push(parse(hash));
    });
    // Records expire on their own; their index entries are dropped when a listing meets them.
    if (expired.length) await this.redis.zrem(index, ...expired);
    const more = members.length > options.limit;
    return { deliveries, nextCursor: more ? encodeDeliveryCursor(page[page.length - 1]) : null };
  }

  private async transition(
    record: DeliveryRecord,
    expectedJob: string,
    status: DeliveryStatus,
    attemptsIncrement: number,
    fields: Hash,
  ): Promise<boolean> {
    const subjectKeys = record.subject ? [this.keys.deliveriesOf(record.tenant, record.subject)] : [];
    const result = await this.redis.eval(
      TRANSITION_DELIVERY,
      4 + subjectKeys.length,
      this.keys.delivery(record.id),
      ...this.indexKeys(record.tenant, deliveryStatuses),
      ...subjectKeys,
      expectedJob,
      status,
      this.retentionSeconds,
      attemptsIncrement,
      ...Object.entries(fields).flat(),
    );
    return result === 1;
  }

  private indexKeys(tenant: string, statuses: ReadonlyArray<DeliveryStatus | 'all'>): string[] {
    return statuses.map((status) => this.keys.deliveryIndex(tenant, status));
  }
}
