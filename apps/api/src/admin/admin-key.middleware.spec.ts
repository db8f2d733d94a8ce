import type { NextFunction, Request, Response } from 'express';
import { adminKeyMiddleware } from './admin-key.middleware';

function run(authorization: string | undefined) {
  const req = { headers: authorization === undefined ? {} : { authorization } } as Request;
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const res = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  } as unknown as Response;
  let passed = false;
  adminKeyMiddleware('the-admin-key-0123')(req, res, (() => (passed = true)) as NextFunction);
  return { passed, sent };
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('admin key middleware', () => {
  it('lets the admin key through as a bearer token or a Basic-auth password', () => {
    expect(run('Bearer the-admin-key-0123').passed).toBe(true);
    expect(run(basic('anyone', 'the-admin-key-0123')).passed).toBe(true);
  });

  it('answers 401 with a Basic challenge otherwise', () => {
    for (const header of [
      undefined,
      'Bearer the-admin-key-012',
      basic('the-admin-key-0123', 'x'),
      'Basic !!!',
    ]) {
      const { passed, sent } = run(header);
      expect(passed).toBe(false);
      expect(sent.status).toBe(401);
      expect(sent.headers['WWW-Authenticate']).toMatch(/^Basic realm=/);
      expect(sent.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });
});
