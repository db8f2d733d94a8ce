import { batchCopyMember, copyMember, eventMember, parseOutboxMember } from './outbox-entry';

describe('outbox members', () => {
  it('round-trip every domain event and the copy entry', () => {
    const at = '2026-11-26T12:00:00.123Z';
    const events = [
      { type: 'prediction.succeeded' as const, tenant: 'tenant_a', predictionId: 'prd_abc', occurredAt: at },
      { type: 'prediction.failed' as const, tenant: 't-b', predictionId: 'prd_x-y', occurredAt: at },
      { type: 'batch.completed' as const, tenant: 'default', batchId: 'bat_123', occurredAt: at },
    ];
    for (const event of events) {
      expect(parseOutboxMember(eventMember(event))).toEqual({
        kind: 'event',
        member: eventMember(event),
        event,
      });
    }
    expect(parseOutboxMember(copyMember('prd_abc'))).toEqual({
      kind: 'copy',
      member: 'cp|prd_abc',
      predictionId: 'prd_abc',
    });
    expect(parseOutboxMember(batchCopyMember('bat_123'))).toEqual({
      kind: 'batchCopy',
      member: 'bcp|bat_123',
      batchId: 'bat_123',
    });
  });

  it('refuses members it does not understand', () => {
    expect(parseOutboxMember('ev|prediction.canceled|t|prd_1|x')).toBeNull();
    expect(parseOutboxMember('zz|1')).toBeNull();
    expect(parseOutboxMember('cp|a|b')).toBeNull();
    expect(parseOutboxMember('bcp|a|b')).toBeNull();
  });
});
