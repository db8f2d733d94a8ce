import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook } from './webhook.sender';

/** An in-process receiver on loopback; the sender is told to connect to it whatever the URL's host says. */
describe('sendWebhook', () => {
  let server: Server;
  let port: number;
  let seen: Array<{ host: string | undefined; body: string }>;
  let answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; hang?: boolean };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ host: req.headers.host, body });
        const a = answer(req);
        if (a.hang) return;
        res.writeHead(a.status, a.headers).end('ignored');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => (seen = []));

  const send = (host: string, timeoutMs = 2000) =>
    sendWebhook({
      url: new URL(`http://${host}:${port}/hook?token=t`),
      address: '127.0.0.1',
      family: 4,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      timeoutMs,
    });

  it('connects to the pinned address and keeps the URL host in the Host header (no second DNS lookup)', async () => {
    answer = () => ({ status: 204 });
    // This name does not resolve anywhere: reaching the server proves the pinned address was used.
    await expect(send('receiver.invalid')).resolves.toEqual({ statusCode: 204, retryAfter: null });
    expect(seen).toEqual([{ host: `receiver.invalid:${port}`, body: '{"a":1}' }]);
  });

  it('does not follow redirects', async () => {
    answer = (req) =>
      req.url === '/hook?token=t' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 };
    await expect(send('receiver.invalid')).resolves.toEqual({ statusCode: 302, retryAfter: null });
    expect(seen).toHaveLength(1);
  });

  it('passes Retry-After on', async () => {
    answer = () => ({ status: 503, headers: { 'retry-after': '7' } });
    await expect(send('receiver.invalid')).resolves.toEqual({ statusCode: 503, retryAfter: '7' });
  });

  it('gives up after the timeout', async () => {
    answer = () => ({ status: 200, hang: true });
    await expect(send('receiver.invalid', 200)).rejects.toMatchObject({ code: 'timeout' });
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const request = sendWebhook({
      url: new URL(`http://receiver.invalid:${closedPort}/`),
      address: '127.0.0.1',
      family: 4,
      headers: {},
      body: '{}',
      timeoutMs: 2000,
    });
    await expect(request).rejects.toMatchObject({ code: 'connection_failed' });
  });
});
