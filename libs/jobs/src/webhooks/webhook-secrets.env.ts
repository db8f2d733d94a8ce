import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config/env-parse';

/** Tenant name -> its signing secrets, in configuration order (every one signs). */
export type ConfiguredSecrets = ReadonlyMap<string, readonly string[]>;

const ENTRY = /^([A-Za-z0-9_-]+):(whsec_[A-Za-z0-9+/]+={0,2})$/;

/** A `whsec_` secret whose base64 decodes to 24..64 bytes (standardwebhooks accepts any length). */
export function isWebhookSecret(secret: string): boolean {
  const body = secret.startsWith('whsec_') ? secret.slice(6) : '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return false;
  const bytes = Buffer.from(body, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/** `whsec_` + base64 of 32 random bytes, the Standard Webhooks form. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Parses WEBHOOK_SECRETS. Done here rather than in the zod schema on purpose: parseEnv quotes the
 * offending value in its message, and a secret must never reach a log. This names the entry only.
 */
export function parseWebhookSecrets(text: string | undefined): ConfiguredSecrets {
  const secrets = new Map<string, string[]>();
  if (!text) return secrets;
  text.split(',').forEach((raw, i) => {
    const match = ENTRY.exec(raw.trim());
    if (!match || !isWebhookSecret(match[2])) {
      throw new ConfigError(
        `Configuration error: WEBHOOK_SECRETS entry ${i + 1} is not tenant:whsec_<base64 of 24 to 64 bytes> (value not shown: it is a secret).`,
      );
    }
    secrets.set(match[1], [...(secrets.get(match[1]) ?? []), match[2]]);
  });
  return secrets;
}

/** `WEBHOOK_SECRETS`, shared by the API (signing) and the CLI; parse it with parseWebhookSecrets. */
export const webhookSecretsEnv = {
  WEBHOOK_SECRETS: z
    .string()
    .optional()
    .describe(
      'comma-separated tenant:whsec_<base64 of 24 to 64 bytes> pairs (a tenant named several times has several secrets, all signing)',
    ),
};
