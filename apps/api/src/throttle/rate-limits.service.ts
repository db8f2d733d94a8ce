import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS, RedisKeys } from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';

/** 429 rate_limited, with Retry-After in whole seconds (at least 1). */
function limited(res: RateLimiterRes, message: string): ApiError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new ApiError(429, 'rate_limited', `${message} Retry in ${seconds} s.`, {
    'Retry-After': String(seconds),
  });
}

/**
 * Per-tenant request rate and per-IP failed-authentication limits, counted in Redis
 * (rate-limiter-flexible, STYLE.md #15) so every API replica shares one count. Redis trouble
 * never refuses a request here (the limit is protection, not a dependency): it is logged and the
 * request goes on, to meet the real dependency check further in.
 */
@Injectable()
export class RateLimitsService {
  private readonly logger = new Logger('RateLimits');
  private readonly tenants: RateLimiterRedis;
  private readonly authFailures: RateLimiterRedis;

  constructor(@Inject(API_CONFIG) config: ApiConfig, @Inject(REDIS) redis: Redis, keys: RedisKeys) {
    this.tenants = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keys.prefix}:rl:tenant`,
      points: config.rateLimitPerSecond,
      duration: 1,
    });
    this.authFailures = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keys.prefix}:rl:authfail`,
      points: config.authFailuresPerMinute,
      duration: 60,
      // Past the limit the address stays blocked for a minute, whatever key it then sends.
      blockDuration: 60,
    });
  }

  /** Counts one request of the tenant; throws 429 past its rate. */
  async tenantRequest(tenant: string): Promise<void> {
    try {
      await this.tenants.consume(tenant);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw limited(err, `Tenant ${tenant} is over its request rate.`);
      this.logger.warn(`Rate limit not checked (Redis): ${(err as Error).message}`);
    }
  }

  /** Throws 429 when this address failed authentication too often recently. */
  async checkAuthAllowed(ip: string): Promise<void> {
    try {
      const state = await this.authFailures.get(ip);
      if (state && state.remainingPoints <= 0 && state.msBeforeNext > 0)
        throw limited(state, 'Too many failed authentication attempts from this address.');
    } catch (err) {
      if (err instanceof ApiError) throw err;
      this.logger.warn(`Auth-failure limit not checked (Redis): ${(err as Error).message}`);
    }
  }

  /** Counts one failed authentication of this address; throws 429 when it reaches the limit. */
  async authFailed(ip: string): Promise<void> {
    try {
      await this.authFailures.consume(ip);
    } catch (err) {
      if (err instanceof RateLimiterRes)
        throw limited(err, 'Too many failed authentication attempts from this address.');
      this.logger.warn(`Auth-failure limit not counted (Redis): ${(err as Error).message}`);
    }
  }
}
