import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '@dermafleet/jobs';
import { signedHeaders } from './webhook.signer';

describe('webhook signing (Standard Webhooks)', () => {
  const body = JSON.stringify({
    type: 'prediction.succeeded',
    timestamp: '2025-01-01T00:00:00.000Z',
    data: { id: 'prd_x' },
  });

  it('verifies with the public standardwebhooks library', () => {
    const secret = generateWebhookSecret();
    const headers = signedHeaders([secret], 'msg_abc', body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-id']).toBe('msg_abc');
  });

  it('signs with every secret, each verifying on its own (rotation)', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signedHeaders([oldSecret, newSecret], 'msg_abc', body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(oldSecret).verify(`${body} `, headers)).toThrow(/No matching signature/);
  });

  it('never sends unsigned', () => {
    expect(() => signedHeaders([], 'msg_abc', body)).toThrow(/never sent unsigned/);
  });
});
