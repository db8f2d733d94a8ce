import type { DomainEvent } from '../events/domain-events';

/**
 * One outbox member (a string in a sorted set). The Lua scripts write them, so the format is
 * spelled out here and in LUA_OUTBOX below, and nowhere else:
 *   `cp|<prediction id>`                                   the durable S3 copy of a final prediction
 *   `bcp|<batch id>`                                       the S3 manifest of a completed batch
 *   `ev|<event type>|<tenant>|<subject id>|<occurred at>`  a domain event (webhooks)
 * Ids, tenants ([A-Za-z0-9_-]), event types and RFC 3339 times never contain `|`.
 */
export type OutboxEntry =
  | { kind: 'copy'; member: string; predictionId: string }
  | { kind: 'batchCopy'; member: string; batchId: string }
  | { kind: 'event'; member: string; event: DomainEvent };

export function eventMember(event: DomainEvent): string {
  const subject = event.type === 'batch.completed' ? event.batchId : event.predictionId;
  return `ev|${event.type}|${event.tenant}|${subject}|${event.occurredAt}`;
}

export function copyMember(predictionId: string): string {
  return `cp|${predictionId}`;
}

export function batchCopyMember(batchId: string): string {
  return `bcp|${batchId}`;
}

/** Null for a member we do not understand (it is dropped rather than retried forever). */
export function parseOutboxMember(member: string): OutboxEntry | null {
  const parts = member.split('|');
  if (parts[0] === 'cp' && parts.length === 2) return { kind: 'copy', member, predictionId: parts[1] };
  if (parts[0] === 'bcp' && parts.length === 2) return { kind: 'batchCopy', member, batchId: parts[1] };
  if (parts[0] !== 'ev' || parts.length !== 5) return null;
  const [, type, tenant, subject, occurredAt] = parts;
  if (type === 'batch.completed') {
    return { kind: 'event', member, event: { type, tenant, batchId: subject, occurredAt } };
  }
  if (type === 'prediction.succeeded' || type === 'prediction.failed') {
    return { kind: 'event', member, event: { type, tenant, predictionId: subject, occurredAt } };
  }
  return null;
}

/**
 * Lua helpers shared by the scripts that end a prediction or complete a batch: they add the
 * outbox members above in the same atomic call as the state change (crash window closed: a
 * final state without its event or its S3 copy cannot exist).
 */
export const LUA_OUTBOX = `
-- Whether a prediction's final state has anyone to tell: its own webhook_url, or its batch's URL
-- with notify 'each' (what the dispatcher would send to; both are set at creation, never changed).
local function prediction_listened(prediction, batch)
  local url = redis.call('HGET', prediction, 'webhook_url')
  if url and url ~= '' then return true end
  if batch and batch ~= prediction then
    local target = redis.call('HMGET', batch, 'webhook_url', 'notify')
    if target[1] and target[1] ~= '' and target[2] == 'each' then return true end
  end
  return false
end
-- The S3 copy always; the event only when someone listens (an archive without webhooks would
-- otherwise cost a webhooks job and its dispatch, ~8 Redis calls, per image for nothing).
-- Returns the event member, or false when none was written.
local function outbox_prediction(outbox, due, status, tenant, id, at, prediction, batch)
  redis.call('ZADD', outbox, due, 'cp|' .. id)
  if not prediction_listened(prediction, batch) then return false end
  local ev = 'ev|prediction.' .. status .. '|' .. tenant .. '|' .. id .. '|' .. at
  redis.call('ZADD', outbox, due, ev)
  return ev
end
-- A batch completed: its event, and its S3 manifest (written again at each completion; relayed
-- with the event, see OutboxRelay.relayNow).
local function outbox_batch(outbox, due, tenant, id, at)
  local ev = 'ev|batch.completed|' .. tenant .. '|' .. id .. '|' .. at
  redis.call('ZADD', outbox, due, ev)
  redis.call('ZADD', outbox, due, 'bcp|' .. id)
  return ev
end
`;
