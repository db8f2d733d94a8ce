import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  /** Date.now() when the request had arrived in full. */
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** For each secret the receiver holds, whether `new Webhook(secret).verify(body, headers)` passed. */
  verifiedWith: boolean[];
  json: { type: string; timestamp: string; data: Record<string, unknown> & { id: string } };
}

export type Answer = { status: number; headers?: Record<string, string> };

/**
 * A real webhook receiver on 127.0.0.1, verifying every request with the public standardwebhooks
 * library exactly as a hospital integration would. `answer` decides each response (per path).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (path: string, countForPath: number) => Answer = () => ({ status: 204 });
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly secrets: string[]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = req.url ?? '/';
        const verifiedWith = this.secrets.map((secret) => {
          try {
            new Webhook(secret).verify(body, req.headers as Record<string, string>);
            return true;
          } catch {
            return false;
          }
        });
        let json: ReceivedWebhook['json'];
        try {
          json = JSON.parse(body) as ReceivedWebhook['json'];
        } catch {
          json = { type: 'unparseable', timestamp: '', data: { id: '' } };
        }
        this.received.push({ path, at: Date.now(), headers: req.headers, body, verifiedWith, json });
        const answer = this.answer(path, this.received.filter((r) => r.path === path).length);
        res.writeHead(answer.status, answer.headers).end();
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }
}
