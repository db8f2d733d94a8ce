import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export interface TenantRequest extends Request {
  tenant?: string;
}

/** The authenticated caller's tenant, set by ApiKeyGuard. */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenant = ctx.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('Tenant used on a route without ApiKeyGuard');
  return tenant;
});
