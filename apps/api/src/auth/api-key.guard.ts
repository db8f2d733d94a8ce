import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../errors/api-error';
import { ApiKeyRegistry, DEFAULT_TENANT } from './api-key.registry';
import { RateLimitsService } from '../throttle/rate-limits.service';
import { IS_PUBLIC } from './public.decorator';
import type { TenantRequest } from './tenant.decorator';

/**
 * `Authorization: Bearer <key>` -> the key's tenant, on every route not marked @Public(); then the
 * tenant's request rate. An address that failed authentication too often is refused before its
 * key is even looked at (a valid key must not answer differently while it is blocked).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly registry: ApiKeyRegistry,
    private readonly reflector: Reflector,
    private readonly limits: RateLimitsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<TenantRequest>();
    if (this.registry.authDisabled) {
      req.tenant = DEFAULT_TENANT;
      req.apiKeyId = 'none';
      await this.limits.tenantRequest(DEFAULT_TENANT);
      return true;
    }
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    await this.limits.checkAuthAllowed(ip);
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const identity = match ? this.registry.identify(match[1]) : null;
    if (!identity) {
      await this.limits.authFailed(ip);
      throw new ApiError(
        401,
        'unauthorized',
        match ? 'That API key is not valid.' : 'Send your API key as "Authorization: Bearer <key>".',
      );
    }
    req.tenant = identity.tenant;
    req.apiKeyId = identity.keyId;
    await this.limits.tenantRequest(identity.tenant);
    return true;
  }
}
