import type { Redis } from 'ioredis';
import { ConfiguredSecrets, generateWebhookSecret } from './webhook-secrets.env';
import { WebhookKeys } from './webhook.keys';

/** How long a pod trusts its copy of a generated secret before reading Redis again. */
const CACHE_MS = 60_000;

/**
 * A tenant's signing secrets: the configured ones (WEBHOOK_SECRETS), else one generated at first
 * use and kept in Redis without expiry. SET NX makes concurrent API pods agree on a single secret.
 * Secrets are credentials: nothing here logs them.
 */
export class WebhookSecretStore {
  private readonly cache = new Map<string, { secret: string; until: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: WebhookKeys,
    private readonly configured: ConfiguredSecrets = new Map(),
  ) {}

  async secretsFor(tenant: string): Promise<readonly string[]> {
    const configured = this.configured.get(tenant);
    if (configured?.length) return configured;
    const cached = this.cache.get(tenant);
    if (cached && cached.until > Date.now()) return [cached.secret];
    const key = this.keys.generatedSecret(tenant);
    await this.redis.set(key, generateWebhookSecret(), 'NX');
    const secret = await this.redis.get(key);
    if (!secret) throw new Error(`The signing secret of tenant ${tenant} could not be read back from Redis.`);
    this.cache.set(tenant, { secret, until: Date.now() + CACHE_MS });
    return [secret];
  }
}
