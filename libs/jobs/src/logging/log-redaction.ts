/**
 * What must never reach a log line, whatever a future log call passes in: credentials, webhook
 * secrets and signatures (pino's fast-redact paths; `*` is one level). Request logs carry no
 * headers or bodies at all (see request-log.options.ts), so image bytes never get there either;
 * these paths are the second line of defence.
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  'apiKey',
  'api_key',
  '*.apiKey',
  '*.api_key',
  'secret',
  'secrets',
  '*.secret',
  '*.secrets',
  'signature',
  '*.signature',
  'headers["webhook-signature"]',
  '*.headers["webhook-signature"]',
  'body',
  '*.body',
];
