import type { AttemptUpdate, DeliveryRecord, DeliveryRepository } from '@dermafleet/jobs';
import type { Job } from 'bullmq';
import type { ApiConfig } from '../../config/api.config';
import { DeliverHandler, RetryDeliveryLater } from './deliver.handler';
import type { AttemptOutcome, DeliveryAttemptService } from './delivery-attempt.service';

const record: DeliveryRecord = {
  id: 'dlv_AAAAAAAAAAAAAAAAAAAAAA',
  event_type: 'prediction.succeeded',
  webhook_id: 'msg_x',
  url: 'https://hooks.example.org/',
  status: 'pending',
  attempts: 0,
  last_status_code: null,
  last_error: null,
  next_attempt_at: null,
  created_at: '2025-01-01T00:00:00.000Z',
  tenant: 't',
  payload: '{}',
  job: 'dlv_AAAAAAAAAAAAAAAAAAAAAA-r0',
  chain: 0,
  subject: 'prd_AAAAAAAAAAAAAAAAAAAAAA',
};

/** The retry decisions of one deliver job run, with the store and the network faked. */
function setup(outcome: AttemptOutcome, stored: DeliveryRecord | null = record) {
  const updates: AttemptUpdate[] = [];
  const deliveries = {
    get: async () => stored,
    recordAttempt: async (_r: DeliveryRecord, _job: string, update: AttemptUpdate) => (
      updates.push(update),
      true
    ),
  } as unknown as DeliveryRepository;
  const attempts = { attempt: async () => outcome } as unknown as DeliveryAttemptService;
  const config = {
    webhooks: { retryDelaysMs: [1000, 2000], retryAfterMaxMs: 60_000 },
  } as unknown as ApiConfig;
  const handler = new DeliverHandler(config, deliveries, attempts);
  const job = (attemptsMade: number) =>
    ({
      id: record.job,
      data: { deliveryId: record.id, tenant: 't' },
      attemptsMade,
      opts: { attempts: 3 },
    }) as unknown as Job<{
      deliveryId: string;
      tenant: string;
    }>;
  return { handler, job, updates };
}

const failed500: AttemptOutcome = {
  kind: 'retryable',
  statusCode: 500,
  error: 'unexpected_status',
  retryAfterMs: null,
};

describe('DeliverHandler', () => {
  it('records a success and ends the delivery', async () => {
    const { handler, job, updates } = setup({
      kind: 'succeeded',
      statusCode: 200,
      error: null,
      retryAfterMs: null,
    });
    await expect(handler.handle(job(0))).resolves.toBe('succeeded');
    expect(updates).toEqual([
      { status: 'succeeded', lastStatusCode: 200, lastError: null, nextAttemptAt: null },
    ]);
  });

  it('keeps it pending and asks BullMQ to retry after the scheduled delay (+-10%)', async () => {
    const { handler, job, updates } = setup(failed500);
    const thrown = await handler.handle(job(1)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(RetryDeliveryLater);
    expect((thrown as RetryDeliveryLater).delayMs).toBeGreaterThanOrEqual(1800);
    expect((thrown as RetryDeliveryLater).delayMs).toBeLessThanOrEqual(2200);
    expect(updates[0]).toMatchObject({
      status: 'pending',
      lastStatusCode: 500,
      lastError: 'unexpected_status',
    });
    expect(updates[0].nextAttemptAt).toBeInstanceOf(Date);
  });

  it('fails the delivery on the last attempt instead of retrying', async () => {
    const { handler, job, updates } = setup(failed500);
    await expect(handler.handle(job(2))).resolves.toBe('failed');
    expect(updates[0]).toMatchObject({ status: 'failed', nextAttemptAt: null });
  });

  it('fails at once on a permanent outcome (410, destination_forbidden)', async () => {
    const { handler, job, updates } = setup({
      kind: 'permanent',
      statusCode: 410,
      error: 'gone',
      retryAfterMs: null,
    });
    await expect(handler.handle(job(0))).resolves.toBe('failed');
    expect(updates[0]).toMatchObject({ status: 'failed', lastStatusCode: 410, lastError: 'gone' });
  });

  it('does nothing for a job that no longer owns the delivery (superseded by a redelivery)', async () => {
    const { handler, job, updates } = setup(failed500, { ...record, job: `${record.id}-r1`, chain: 1 });
    await expect(handler.handle(job(0))).resolves.toBe('stale');
    expect(updates).toHaveLength(0);
  });
});
