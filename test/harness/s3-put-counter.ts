import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PutCounter {
  /** Give this as S3_PUBLIC_ENDPOINT: presigned URLs then point here. */
  url: string;
  /** Successful PUTs (2xx from S3) per object path. */
  readonly puts: Map<string, number>;
  /** Every request seen, in order: method and path (the bucket first, no query). */
  readonly requests: Array<{ method: string; path: string }>;
  /** PUT requests seen, finished or not. */
  readonly attempts: () => number;
  successes(): number;
  /** Called after each successful PUT with the running count. */
  onPut: ((count: number) => void) | null;
  close(): Promise<void>;
}

/**
 * A tiny HTTP proxy in front of the test S3 server that counts the PUTs clients send through
 * presigned URLs: exactly what a direct-upload client sent, and which of them S3 stored. Given as
 * an app's S3_ENDPOINT, it lists every request the app makes. The Host
 * header is passed through unchanged, so signatures made for the proxy's address still verify.
 */
export async function startPutCounter(upstream: string, delayMs = 0): Promise<PutCounter> {
  const target = new URL(upstream);
  const puts = new Map<string, number>();
  const requests: Array<{ method: string; path: string }> = [];
  let attempts = 0;
  let successes = 0;
  const counter: PutCounter = {
    url: '',
    puts,
    requests,
    attempts: () => attempts,
    successes: () => successes,
    onPut: null,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ method: req.method ?? '', path: decodeURIComponent(path) });
    if (req.method === 'PUT') attempts++;
    const forward = () => {
      const upstreamReq = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          if (req.method === 'PUT' && (upstreamRes.statusCode ?? 500) < 300) {
            puts.set(path, (puts.get(path) ?? 0) + 1);
            successes++;
            counter.onPut?.(successes);
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstreamReq.on('error', () => res.destroy());
      req.on('aborted', () => upstreamReq.destroy());
      req.pipe(upstreamReq);
    };
    if (req.method === 'PUT' && delayMs) setTimeout(forward, delayMs);
    else forward();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  counter.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return counter;
}
