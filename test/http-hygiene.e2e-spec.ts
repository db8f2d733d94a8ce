import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { RunningApp, startApi } from './harness/stack';
import { infra, poll, uniquePrefix } from './harness/test-env';
import { distinctJpegs } from './worker-support/distinct-images';

/** One request on a fresh connection (no pooled sockets left open by the test client). */
function rawGet(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends the first half of a multipart upload whose Content-Length promises much more, then drops
 * the connection: a client that goes away mid-upload (closed laptop, lost network).
 */
async function abortMidUpload(url: string, path: string, image: Buffer): Promise<void> {
  const { hostname, port } = new URL(url);
  const boundary = 'dermafleet-abort-test';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n` +
      'Content-Type: image/jpeg\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + image.length + tail.length;
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: ${length}\r\n\r\n`,
  );
  socket.write(head);
  await new Promise<void>((resolve) => socket.write(image.subarray(0, image.length >> 1), () => resolve()));
  await new Promise((r) => setTimeout(r, 200)); // the server is reading the part now
  socket.destroy();
}

describe('HTTP hygiene', () => {
  const prefix = uniquePrefix('http');
  let api: RunningApp;
  let redis: Redis;

  beforeAll(async () => {
    api = await startApi(prefix);
    redis = new Redis(infra().redisUrl);
  });
  afterAll(async () => {
    redis?.disconnect();
    await api?.close();
  });

  it('answers with security headers and without X-Powered-By, on API routes and errors alike', async () => {
    for (const path of ['/health/live', '/v1/predictions/prd_doesnotexist0000000000', '/metrics']) {
      const res = await rawGet(`${api.url}${path}`);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("img-src 'self' data: blob:");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('upgrade-insecure-requests'); // the API may be served over plain http
    }
  });

  it('serves Swagger UI at /docs under a CSP it works with: only same-origin script files', async () => {
    const page = await rawGet(`${api.url}/docs`);
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Every script of the page is a file from our origin (inline scripts would be blocked).
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(inline.trim()).toBe('');
      const src = /src=["']([^"']+)["']/.exec(attributes)?.[1];
      expect(src).toBeDefined();
      expect(src).not.toMatch(/^https?:/);
      const script = await rawGet(new URL(src!, `${api.url}/docs`).toString());
      expect({ src, status: script.status }).toEqual({ src, status: 200 });
    }
    expect((await rawGet(`${api.url}/docs-json`)).status).toBe(200);
  });

  it('keeps idle keep-alive connections longer than a load balancer does (over 60 s)', async () => {
    const res = await rawGet(`${api.url}/health/live`, { connection: 'keep-alive' });
    const timeout = Number(/timeout=(\d+)/.exec(String(res.headers['keep-alive']))?.[1]);
    expect(timeout).toBeGreaterThan(60);
  });

  it('survives a client that goes away mid-upload: no record, no stored image, no connection left', async () => {
    const [image] = await distinctJpegs(1, 1024, 768);
    const server = api.app.getHttpServer() as Server;
    const connections = () => new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    await abortMidUpload(api.url, '/v1/predictions', image);
    await poll(connections, (n) => n === 0, 10_000, 20);
    // Still serving, and nothing half-created.
    expect((await rawGet(`${api.url}/health/live`)).status).toBe(200);
    expect(await redis.keys(`${prefix}:prd:*`)).toEqual([]);
    const whole = await fetch(`${api.url}/v1/predictions`, {
      method: 'POST',
      body: (() => {
        const form = new FormData();
        form.append('image', new Blob([image]), 'a.jpg');
        return form;
      })(),
    });
    expect(whole.status).toBe(202); // the same image, sent whole, is accepted
  });

  it('survives a client that goes away mid-way through a batch upload: no half-created prediction', async () => {
    const [image] = await distinctJpegs(1, 800, 600);
    const created = await rawGet(
      `${api.url}/v1/batches`,
      { 'content-type': 'application/json' },
      'POST',
      '{}',
    );
    const batch = JSON.parse(created.body) as { id: string };
    const server = api.app.getHttpServer() as Server;
    const connections = () => new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    const before = await connections(); // the earlier test's pooled keep-alive socket may remain
    await abortMidUpload(api.url, `/v1/batches/${batch.id}/images`, image);
    await poll(connections, (n) => n <= before, 10_000, 20);
    const after = JSON.parse((await rawGet(`${api.url}/v1/batches/${batch.id}`)).body) as {
      counts: { total: number };
    };
    expect(after.counts.total).toBe(0);
    expect((await rawGet(`${api.url}/health/live`)).status).toBe(200);
  });
});
