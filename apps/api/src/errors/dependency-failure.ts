import { S3ServiceException } from '@aws-sdk/client-s3';

/** Seconds a client should wait before retrying after a dependency failure (about one blip). */
export const DEPENDENCY_RETRY_AFTER_S = 5;

/** Socket-level failures, whoever hit them (Redis or S3): the dependency did not answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** ioredis' errors when Redis is away or slow (it has no error classes for most of them). */
const REDIS_MESSAGES =
  /Connection is closed|Command timed out|Reached the max retries per request limit|Stream isn't writeable|enableOfflineQueue|connect ETIMEDOUT|LOADING|MASTERDOWN|READONLY/;

/**
 * Which dependency an unexpected error says is unavailable (`redis` or `s3`), or null when it
 * is a bug of ours. Such a request answers 503 dependency_unavailable with Retry-After, never 500:
 * the client did nothing wrong and the same request will work once the dependency is back.
 */
export function unavailableDependency(err: unknown): 'redis' | 's3' | 'network' | null {
  if (!(err instanceof Error)) return null;
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(e.message)) return 'redis';
  if (err instanceof S3ServiceException) {
    const status = e.$metadata?.httpStatusCode ?? 0;
    return status >= 500 || status === 0 ? 's3' : null;
  }
  // The S3 client's own timeouts and socket errors carry $metadata (no HTTP status).
  if (e.$metadata || e.name === 'TimeoutError' || e.name === 'RequestTimeout') return 's3';
  if (e.code && NETWORK_CODES.has(e.code)) return 'network';
  return null;
}
