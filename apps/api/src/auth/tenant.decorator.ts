import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export interface TenantRequest extends Request {
  tenant?: string;
  /** The API key's id (`<tenant>#<n>`, never the secret; `none` without auth), set by ApiKeyGuard. */
  apiKeyId?: string;
}

/** The authenticated caller's tenant, set by ApiKeyGuard. */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenant = ctx.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('Tenant used on a route without ApiKeyGuard');
  return tenant;
});

/** The authenticated caller's API key id (audit entries name it), set by ApiKeyGuard. */
export const ApiKeyId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const id = ctx.switchToHttp().getRequest<TenantRequest>().apiKeyId;
  if (!id) throw new Error('ApiKeyId used on a route without ApiKeyGuard');
  return id;
});
