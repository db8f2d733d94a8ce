import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../errors/api-error';
import { ApiKeyRegistry, DEFAULT_TENANT } from './api-key.registry';
import { IS_PUBLIC } from './public.decorator';
import type { TenantRequest } from './tenant.decorator';

/** `Authorization: Bearer <key>` -> the key's tenant, on every route not marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly registry: ApiKeyRegistry,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<TenantRequest>();
    if (this.registry.authDisabled) {
      req.tenant = DEFAULT_TENANT;
      return true;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new ApiError(401, 'unauthorized', 'Send your API key as "Authorization: Bearer <key>".');
    const tenant = this.registry.tenantFor(match[1]);
    if (!tenant) throw new ApiError(401, 'unauthorized', 'That API key is not valid.');
    req.tenant = tenant;
    return true;
  }
}
