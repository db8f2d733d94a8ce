import { Command, InvalidArgumentError } from 'commander';
import { Redis } from 'ioredis';
import { z } from 'zod';
import {
  ConfigError,
  parseEnv,
  parseWebhookSecrets,
  redisEnv,
  WebhookKeys,
  WebhookSecretStore,
  webhookSecretsEnv,
  type ConfiguredSecrets,
} from '@dermafleet/jobs';
import { CliError } from '../cli-errors';

const envSchema = z.object({ ...redisEnv, ...webhookSecretsEnv });

/** Where Redis is, without any password the URL carries (this goes into an error sentence). */
function redisWhere(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'REDIS_URL';
  }
}

function readConfig(): { redisUrl: string; keyPrefix: string; secrets: ConfiguredSecrets } {
  try {
    const env = parseEnv(envSchema, process.env);
    return {
      redisUrl: env.REDIS_URL,
      keyPrefix: env.KEY_PREFIX,
      secrets: parseWebhookSecrets(env.WEBHOOK_SECRETS),
    };
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

async function connect(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported once, below
  try {
    await redis.connect();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new CliError(
      `Cannot reach Redis at ${redisWhere(url)} (${(err as Error).message}); set REDIS_URL.`,
    );
  }
}

/**
 * `dermafleet webhook-secret [--tenant T]`: the tenant's signing secret(s), one a line on stdout,
 * exactly what the API signs with: WEBHOOK_SECRETS when it names the tenant, else the secret kept
 * in Redis (generated now if the tenant has none yet). Reads REDIS_URL, KEY_PREFIX, WEBHOOK_SECRETS.
 */
export function webhookSecretCommand(): Command {
  return new Command('webhook-secret')
    .description("print (creating if needed) a tenant's webhook signing secret(s), one a line")
    .option(
      '--tenant <name>',
      'tenant name',
      (v: string) => {
        if (!/^[A-Za-z0-9_-]+$/.test(v)) throw new InvalidArgumentError('letters, digits, _ or - only');
        return v;
      },
      'default',
    )
    .action(async (opts: { tenant: string }) => {
      const config = readConfig();
      const configured = config.secrets.get(opts.tenant);
      if (configured?.length) {
        process.stdout.write(configured.map((s) => `${s}\n`).join(''));
        return;
      }
      const redis = await connect(config.redisUrl);
      try {
        const store = new WebhookSecretStore(redis, new WebhookKeys(config.keyPrefix), config.secrets);
        const secrets = await store.secretsFor(opts.tenant);
        process.stdout.write(secrets.map((s) => `${s}\n`).join(''));
      } catch (err) {
        throw new CliError(
          `Could not read or create the secret in Redis at ${redisWhere(config.redisUrl)}: ${(err as Error).message}.`,
        );
      } finally {
        redis.disconnect();
      }
    });
}
