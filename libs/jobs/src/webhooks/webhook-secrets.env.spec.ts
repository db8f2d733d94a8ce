import { generateWebhookSecret, isWebhookSecret, parseWebhookSecrets } from './webhook-secrets.env';

describe('WEBHOOK_SECRETS', () => {
  const a1 = generateWebhookSecret();
  const a2 = generateWebhookSecret();
  const b1 = generateWebhookSecret();

  it('generates whsec_ + base64 of 32 random bytes', () => {
    expect(a1).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a1.slice(6), 'base64')).toHaveLength(32);
    expect(isWebhookSecret(a1)).toBe(true);
    expect(a1).not.toBe(a2);
  });

  it('collects several secrets for a tenant named several times, in order', () => {
    const secrets = parseWebhookSecrets(`tenant_a:${a1}, tenant_b:${b1},tenant_a:${a2}`);
    expect(secrets.get('tenant_a')).toEqual([a1, a2]);
    expect(secrets.get('tenant_b')).toEqual([b1]);
    expect(parseWebhookSecrets(undefined).size).toBe(0);
  });

  it('refuses a bad entry without quoting any secret in the message', () => {
    const leaky = `tenant_a:${a1},tenant_b:whsec_short`;
    expect(() => parseWebhookSecrets(leaky)).toThrow(/WEBHOOK_SECRETS entry 2 is not tenant:whsec_/);
    try {
      parseWebhookSecrets(leaky);
    } catch (err) {
      expect((err as Error).message).not.toContain(a1.slice(6, 20));
      expect((err as Error).message).not.toContain('whsec_short');
    }
    expect(() => parseWebhookSecrets(`tenant a:${a1}`)).toThrow(/entry 1/);
    expect(() => parseWebhookSecrets(`tenant_a:${a1.slice(6)}`)).toThrow(/entry 1/);
  });
});
