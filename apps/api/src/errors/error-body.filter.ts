import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError, ApiErrorCode } from './api-error';
import { DEPENDENCY_RETRY_AFTER_S, unavailableDependency } from './dependency-failure';

const codeForStatus: Record<number, ApiErrorCode> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'unauthorized',
  404: 'not_found',
  405: 'invalid_request',
  409: 'invalid_request',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'invalid_request',
  429: 'rate_limited',
  503: 'dependency_unavailable',
};

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Every 4xx/5xx answers the contract's error body, whatever threw it. */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (exception instanceof ApiError) {
      for (const [k, v] of Object.entries(exception.headers)) res.setHeader(k, v);
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = codeForStatus[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
      res.status(status).json({ error: { code, message: messageOf(exception) } });
      return;
    }
    const err = exception as { type?: string; status?: number; message?: string };
    // body-parser errors (malformed JSON, body too large) carry a status of their own.
    if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      const code = codeForStatus[err.status] ?? 'invalid_request';
      res.status(err.status).json({ error: { code, message: err.message ?? 'Bad request.' } });
      return;
    }
    const dependency = unavailableDependency(exception);
    if (dependency) {
      this.logger.warn(`${dependency} unavailable: ${(exception as Error).message}`);
      res.setHeader('Retry-After', String(DEPENDENCY_RETRY_AFTER_S));
      res.status(503).json({
        error: {
          code: 'dependency_unavailable',
          message: `${dependency === 'redis' ? 'Redis' : dependency === 's3' ? 'Object storage' : 'A service we depend on'} is unavailable; retry in a few seconds (with the same Idempotency-Key, a retry never creates twice).`,
        },
      });
      return;
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    res.status(HttpStatus.INTERNAL_SERVER_ERROR).json({
      error: { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' },
    });
  }
}
