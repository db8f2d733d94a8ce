export const batchStatuses = ['open', 'sealed', 'completed'] as const;
export type BatchStatus = (typeof batchStatuses)[number];

/** `batch`: one batch.completed event; `each`: also one event per prediction. */
export type BatchNotifyMode = 'batch' | 'each';

export interface BatchCounts {
  total: number;
  queued: number;
  processing: number;
  succeeded: number;
  failed: number;
  /** Ended by POST /v1/batches/{id}/cancel before a worker started them. */
  canceled: number;
}

/** The public batch object (CONTRACT.md "Batch object"). */
export interface Batch {
  id: string;
  status: BatchStatus;
  name: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  sealed_at: string | null;
  completed_at: string | null;
  /** When POST /v1/batches/{id}/cancel was first called (null when it never was). */
  canceled_at: string | null;
  counts: BatchCounts;
  /** The distinct `model.version` of its results so far, first seen first (a rolling upgrade shows). */
  model_versions: string[];
}

/** What we keep beside the public object, never shown to clients. */
export interface BatchInternals {
  tenant: string;
  webhookUrl: string | null;
  notify: BatchNotifyMode;
  /** Class labels of the first result in the batch (the CSV export's columns), null before one. */
  labels: string[] | null;
}

export type BatchRecord = Batch & BatchInternals;

export const COUNT_FIELDS = ['total', 'queued', 'processing', 'succeeded', 'failed', 'canceled'] as const;

/**
 * The batch hash `<prefix>:bat:<id>`. Field names are shared with webhook dispatch, which reads
 * the hash directly: tenant, webhook_url ('' = none), notify, id, status, name ('' = null),
 * metadata (JSON), created_at, sealed_at/completed_at ('' = null), canceled_at (absent until a
 * cancel), the six integer counters, and
 * labels (JSON array, absent until the first success), model_versions (comma-separated, absent
 * until the first result; kept by the same Lua scripts as the counters).
 */
export function serialiseBatch(record: BatchRecord): Record<string, string> {
  return {
    id: record.id,
    tenant: record.tenant,
    status: record.status,
    name: record.name ?? '',
    metadata: JSON.stringify(record.metadata),
    created_at: record.created_at,
    sealed_at: record.sealed_at ?? '',
    completed_at: record.completed_at ?? '',
    ...(record.canceled_at ? { canceled_at: record.canceled_at } : {}),
    webhook_url: record.webhookUrl ?? '',
    notify: record.notify,
    // Absent until the first success sets it (HSETNX in the scripts needs it absent, not '').
    ...(record.labels ? { labels: JSON.stringify(record.labels) } : {}),
    ...(record.model_versions.length ? { model_versions: record.model_versions.join(',') } : {}),
    ...Object.fromEntries(COUNT_FIELDS.map((field) => [field, String(record.counts[field])])),
  };
}

export function parseBatch(hash: Record<string, string>): BatchRecord {
  const count = (field: keyof BatchCounts): number => Number(hash[field] ?? 0) || 0;
  const counts: BatchCounts = {
    total: count('total'),
    queued: count('queued'),
    processing: count('processing'),
    succeeded: count('succeeded'),
    failed: count('failed'),
    canceled: count('canceled'),
  };
  return {
    id: hash.id,
    status: hash.status as BatchStatus,
    name: hash.name || null,
    metadata: hash.metadata ? (JSON.parse(hash.metadata) as Record<string, unknown>) : {},
    created_at: hash.created_at,
    sealed_at: hash.sealed_at || null,
    completed_at: hash.completed_at || null,
    canceled_at: hash.canceled_at || null,
    counts,
    model_versions: hash.model_versions ? hash.model_versions.split(',') : [],
    tenant: hash.tenant,
    webhookUrl: hash.webhook_url || null,
    notify: hash.notify === 'each' ? 'each' : 'batch',
    labels: hash.labels ? (JSON.parse(hash.labels) as string[]) : null,
  };
}

export function toPublicBatch(record: BatchRecord): Batch {
  return {
    id: record.id,
    status: record.status,
    name: record.name,
    metadata: record.metadata,
    created_at: record.created_at,
    sealed_at: record.sealed_at,
    completed_at: record.completed_at,
    canceled_at: record.canceled_at,
    counts: { ...record.counts },
    model_versions: [...record.model_versions],
  };
}
