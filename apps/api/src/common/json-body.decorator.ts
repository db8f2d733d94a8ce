import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '../errors/api-error';

/**
 * The request's JSON body. Express parses only `application/json`; any other body (text/plain,
 * a form) would otherwise arrive as `{}` and be taken as "no fields", silently dropping what the
 * client meant to send, so a body of another type answers 415. An empty body stays allowed.
 */
export const JsonBody = createParamDecorator((_: unknown, ctx: ExecutionContext): unknown => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json'))
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Send the body as JSON with "Content-Type: application/json" (not ${req.headers['content-type'] ?? 'no type'}).`,
    );
  return req.body as unknown;
});
