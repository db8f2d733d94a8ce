import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The key a request offers: `Authorization: Bearer <key>`, or Basic auth with the key as password (browsers). */
function offeredKey(header: string | undefined): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

/**
 * Only the admin key passes (compared in constant time, over digests so lengths leak nothing).
 * A browser is asked for it with Basic auth (any user name, the key as password), so an operator
 * can open /admin/queues directly; tenants' API keys are not admin keys.
 */
export function adminKeyMiddleware(adminKey: string) {
  const expected = digest(adminKey);
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = offeredKey(req.headers.authorization);
    if (key !== null && timingSafeEqual(digest(key), expected)) return next();
    res
      .status(401)
      .setHeader('WWW-Authenticate', 'Basic realm="dermafleet admin", charset="UTF-8"')
      .json({ error: { code: 'unauthorized', message: 'The admin dashboard needs ADMIN_API_KEY.' } });
  };
}
