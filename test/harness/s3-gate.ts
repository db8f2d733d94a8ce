import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request held at the gate: `reached` once one arrives, `release()` lets it (and later ones) through. */
export interface HeldRequests {
  reached: Promise<string>;
  release(): void;
}

export interface S3Gate {
  /** Give this as S3_ENDPOINT: the app's own S3 calls then pass the gate. */
  url: string;
  /** Holds the requests whose method and path match until released. */
  hold(method: string, pathPattern: RegExp): HeldRequests;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the test S3 server that can hold chosen requests, so a test can act
 * inside a window another request leaves open (say, while the API streams an object to verify it).
 * The Host header is passed through unchanged, so signatures still verify.
 */
export async function startS3Gate(upstream: string): Promise<S3Gate> {
  const target = new URL(upstream);
  const gates: Array<{
    method: string;
    pattern: RegExp;
    open: Promise<void>;
    arrived: (path: string) => void;
  }> = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const gate = gates.find((g) => g.method === req.method && g.pattern.test(path));
    const forward = () => {
      const upstreamReq = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstreamReq.on('error', () => res.destroy());
      req.pipe(upstreamReq);
    };
    if (!gate) return forward();
    gate.arrived(path);
    void gate.open.then(forward);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold(method, pattern) {
      let release!: () => void;
      let arrived!: (path: string) => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      const reached = new Promise<string>((resolve) => (arrived = resolve));
      gates.push({ method, pattern, open, arrived });
      return { reached, release };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
