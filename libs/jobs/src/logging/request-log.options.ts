import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id when it looks like one (so traces join up), else a new one; echoed back. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The path without its query: query strings may one day hold tokens; ids live in the path. */
function pathOf(req: IncomingMessage): string {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Prediction and batch ids named by the path, or (for a new prediction) by the Location header. */
function idsOf(req: IncomingMessage, res: ServerResponse): Record<string, string> {
  const ids: Record<string, string> = {};
  const text = `${pathOf(req)} ${String(res.getHeader('location') ?? '')}`;
  const prediction = /\b(prd_[A-Za-z0-9_-]+)/.exec(text);
  const batch = /\b(bat_[A-Za-z0-9_-]+)/.exec(text);
  if (prediction) ids.prediction_id = prediction[1];
  if (batch) ids.batch_id = batch[1];
  return ids;
}

/**
 * pino-http settings for the API: one line per request with its id, method, path, status, time,
 * tenant and the prediction/batch it named; no headers, no query, no body. Health and metrics
 * probes are not logged (they arrive every few seconds from every kubelet and scraper).
 */
export function requestLogOptions(): Options {
  return {
    genReqId: requestId,
    // request_id on every line logged while handling the request, not only on the request line.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'request_id' },
    serializers: {
      req: (req: { id?: unknown; method?: string; raw?: IncomingMessage }) => ({
        method: req.method,
        path: req.raw ? pathOf(req.raw) : undefined,
      }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
    // Re-evaluated when the response finishes: by then the guard has set the tenant.
    customProps: (req, res) => ({
      tenant: (req as IncomingMessage & { tenant?: string }).tenant,
      ...idsOf(req, res),
    }),
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|$|\?)/.test(req.url ?? '') },
  };
}
