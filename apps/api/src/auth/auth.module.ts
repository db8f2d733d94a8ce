import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiKeyGuard } from './api-key.guard';
import { RateLimitsService } from '../throttle/rate-limits.service';
import { ApiKeyRegistry } from './api-key.registry';

@Module({
  providers: [
    {
      provide: ApiKeyRegistry,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => {
        const registry = ApiKeyRegistry.fromConfig(config.apiKeys, config.apiKeysFile);
        if (registry.authDisabled) {
          new Logger('Auth').warn(
            '!!! NO API KEYS CONFIGURED: the API accepts every request as tenant "default" without authentication. ' +
              'For local development only; set API_KEYS or API_KEYS_FILE anywhere else. !!!',
          );
        }
        return registry;
      },
    },
    RateLimitsService,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeyRegistry],
})
export class AuthModule {}
