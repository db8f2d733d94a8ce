import {
  envBoolean,
  envInt,
  parseWebhookSecrets,
  webhookSecretsEnv,
  type ConfiguredSecrets,
} from '@dermafleet/jobs';
import { z } from 'zod';
import { DEFAULT_RETRY_DELAYS_MS } from './delivery/retry.policy';

/** The webhook part of the API's environment (spread into api.config.ts's schema). */
export const webhookEnv = {
  ...webhookSecretsEnv,
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,49}$/)
    .transform((text) => text.split(',').map(Number))
    .optional()
    .describe(
      'comma-separated delays in milliseconds between consecutive attempts, such as 5000,300000,1800000',
    ),
  WEBHOOK_ALLOW_PRIVATE: envBoolean(
    'true or false (true lets webhooks reach private, loopback and link-local addresses: local setups and tests only)',
  ).default(false),
  WEBHOOK_TIMEOUT_MS: envInt('a number of milliseconds from 100 to 60000', 100, 60_000).default(10_000),
  WEBHOOK_RETENTION_DAYS: envInt('a whole number of days (1 or more)', 1).default(30),
  WEBHOOK_CONCURRENCY: envInt('a whole number from 1 to 1000', 1, 1000).default(32),
  WEBHOOK_RETRY_AFTER_MAX_MS: envInt('a number of milliseconds (0 ignores Retry-After)', 0).default(
    21_600_000,
  ),
};

export interface WebhookSettings {
  secrets: ConfiguredSecrets;
  retryDelaysMs: readonly number[];
  retryAfterMaxMs: number;
  allowPrivate: boolean;
  timeoutMs: number;
  retentionDays: number;
  concurrency: number;
}

type WebhookEnv = z.output<z.ZodObject<typeof webhookEnv>>;

export function toWebhookSettings(e: WebhookEnv): WebhookSettings {
  return {
    secrets: parseWebhookSecrets(e.WEBHOOK_SECRETS),
    retryDelaysMs: e.WEBHOOK_RETRY_SCHEDULE_MS ?? DEFAULT_RETRY_DELAYS_MS,
    retryAfterMaxMs: e.WEBHOOK_RETRY_AFTER_MAX_MS,
    allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    retentionDays: e.WEBHOOK_RETENTION_DAYS,
    concurrency: e.WEBHOOK_CONCURRENCY,
  };
}
