import type { ObjectStore } from '@dermafleet/storage';
import type { Redis } from 'ioredis';
import type { WebhookReceiver } from '../harness/webhook-receiver';

type Json = Record<string, unknown>;

/** One line of the fault table (README, docs/RELIABILITY.md). */
export interface FaultRow {
  fault: string;
  submitted: number;
  succeeded: number;
  failed: number;
  stuck: number;
  lost: number;
  duplicated: number;
  /** Final predictions whose S3 copy or events do not agree with Redis. */
  disagree: number;
  /** Distinct events delivered (webhook-ids) / deliveries received in all (retries included). */
  events: string;
  notes: string;
}

/**
 * What the client of one fault scenario saw: every image it meant to submit, every prediction
 * and batch the API accepted. `verdict` then checks the fleet's answer against it.
 */
export class FaultLedger {
  submitted = 0;
  readonly accepted = new Set<string>();
  readonly batches = new Set<string>();
  /** Idempotency-Key (or batch filename) -> the ids answered for it: more than one is a duplicate. */
  readonly answers = new Map<string, Set<string>>();
  notes: string[] = [];

  constructor(
    readonly fault: string,
    readonly prefix: string,
    readonly path: string,
  ) {}

  accept(id: string, key?: string): void {
    this.accepted.add(id);
    if (key) this.answers.set(key, (this.answers.get(key) ?? new Set()).add(id));
  }
}

const final = (s: unknown) => s === 'succeeded' || s === 'failed';

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Json };
}

/**
 * Waits (up to `timeoutMs`) until every accepted prediction and batch is final and every event
 * has arrived, then counts: stuck (not final), lost (accepted, now unknown), duplicated (one
 * request or file answered by two predictions, records nobody was answered with, two webhook-ids
 * for one event), disagree (the S3 copy or the events differ from the final state).
 */
export async function verdict(
  ledger: FaultLedger,
  api: string,
  redis: Redis,
  store: ObjectStore,
  receiver: WebhookReceiver,
  timeoutMs = 90_000,
): Promise<FaultRow> {
  const deadline = Date.now() + timeoutMs;
  let predictions = new Map<string, { status: number; body: Json }>();
  let batches = new Map<string, Json>();
  let settled = false;
  while (!settled && Date.now() < deadline) {
    predictions = new Map(
      await Promise.all(
        [...ledger.accepted].map(async (id) => [id, await getJson(`${api}/v1/predictions/${id}`)] as const),
      ),
    );
    batches = new Map(
      await Promise.all(
        [...ledger.batches].map(async (id) => [id, (await getJson(`${api}/v1/batches/${id}`)).body] as const),
      ),
    );
    settled =
      [...predictions.values()].every((p) => p.status === 404 || final(p.body.status)) &&
      [...batches.values()].every((b) => b.status === 'completed') &&
      (await disagreements(ledger, predictions, batches, store, receiver)) === 0;
    if (!settled) await new Promise((r) => setTimeout(r, 500));
  }
  const values = [...predictions.values()];
  const received = receiver.at(ledger.path);
  const idsPerEvent = new Map<string, Set<string>>();
  for (const r of received) {
    const key = `${r.json.type}/${r.json.data.id}`;
    idsPerEvent.set(key, (idsPerEvent.get(key) ?? new Set()).add(String(r.headers['webhook-id'])));
  }
  const records = await redis.keys(`${ledger.prefix}:prd:*`);
  const orphans = records.filter((k) => !ledger.accepted.has(k.slice(`${ledger.prefix}:prd:`.length)));
  const duplicated =
    [...ledger.answers.values()].filter((ids) => ids.size > 1).length +
    [...idsPerEvent.values()].filter((ids) => ids.size > 1).length +
    orphans.length;
  return {
    fault: ledger.fault,
    submitted: ledger.submitted,
    succeeded: values.filter((p) => p.body.status === 'succeeded').length,
    failed: values.filter((p) => p.body.status === 'failed').length,
    stuck:
      values.filter((p) => p.status === 200 && !final(p.body.status)).length +
      [...batches.values()].filter((b) => b.status !== 'completed').length,
    lost: values.filter((p) => p.status === 404).length + (ledger.submitted - ledger.accepted.size),
    duplicated,
    disagree: await disagreements(ledger, predictions, batches, store, receiver),
    events: `${idsPerEvent.size} / ${received.length}`,
    notes: ledger.notes.join('; '),
  };
}

/** Final predictions whose S3 copy or event is missing or says otherwise; batches without their event. */
async function disagreements(
  ledger: FaultLedger,
  predictions: Map<string, { status: number; body: Json }>,
  batches: Map<string, Json>,
  store: ObjectStore,
  receiver: WebhookReceiver,
): Promise<number> {
  const received = receiver.at(ledger.path);
  let count = 0;
  for (const [id, p] of predictions) {
    if (!final(p.body.status)) continue;
    const copy = await store.getJson<Json>(`results/default/${id}.json`).catch(() => null);
    const events = received.filter((r) => r.json.data.id === id);
    const agree =
      copy?.status === p.body.status &&
      copy?.completed_at === p.body.completed_at &&
      events.length > 0 &&
      events.every((e) => e.json.type === `prediction.${String(p.body.status)}`);
    if (!agree) count++;
  }
  for (const [id, b] of batches) {
    if (
      b.status === 'completed' &&
      !received.some((r) => r.json.type === 'batch.completed' && r.json.data.id === id)
    )
      count++;
  }
  return count;
}

export function faultTable(rows: FaultRow[]): string {
  const head =
    '| fault | submitted | succeeded | failed | stuck | lost | duplicated | disagree | events (distinct / deliveries) | notes |\n|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map(
    (r) =>
      `| ${r.fault} | ${r.submitted} | ${r.succeeded} | ${r.failed} | ${r.stuck} | ${r.lost} | ${r.duplicated} | ${r.disagree} | ${r.events} | ${r.notes} |`,
  );
  return [head, ...lines].join('\n');
}
