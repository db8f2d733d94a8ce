import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface OutgoingWebhook {
  url: URL;
  /** The already-checked address to connect to; DNS is not asked again (no rebinding window). */
  address: string;
  family: 4 | 6;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** What the receiver answered; network failures are thrown as WebhookSendError instead. */
export interface WebhookResponse {
  statusCode: number;
  retryAfter: string | null;
}

export class WebhookSendError extends Error {
  constructor(
    readonly code: 'timeout' | 'connection_failed',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookSendError';
  }
}

/** A lookup that answers the pinned address whatever name the socket asks about. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    // With autoSelectFamily (Node 20's default) the socket asks for every address at once.
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * One POST, made the way a webhook must be: to the pinned address (the URL's host still names the
 * TLS server and the Host header), no redirects followed (node:http never follows them), no
 * proxy, no connection reuse, and the whole exchange bounded by the timeout. The response body
 * is not read: only the status and Retry-After matter.
 */
export function sendWebhook(request: OutgoingWebhook): Promise<WebhookResponse> {
  const client = request.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(request.url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: pinnedLookup(request.address, request.family),
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(new WebhookSendError('timeout', `no answer within ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    req.once('response', (res) => {
      clearTimeout(timer);
      const retryAfter = res.headers['retry-after'];
      resolve({
        statusCode: res.statusCode ?? 0,
        retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
      });
      res.destroy();
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof WebhookSendError ? err : new WebhookSendError('connection_failed', err.message));
    });
    req.end(request.body);
  });
}
