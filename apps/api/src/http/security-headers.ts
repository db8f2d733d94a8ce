import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet): nosniff, no X-Powered-By (helmet removes it), HSTS, no framing by
 * other sites (frame-ancestors 'none' and X-Frame-Options), and a CSP that the same-origin viewer
 * at /ui lives with: scripts, styles, fetches and images from our own origin, plus data: and blob:
 * images (thumbnails and overlays drawn in the page). Nothing inline, nothing from elsewhere.
 */
const strictDirectives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // helmet's default upgrade-insecure-requests would make browsers fetch the page's own scripts
  // over https on an API served over plain http (an intranet without TLS): /ui and /docs break.
  upgradeInsecureRequests: null,
};

const apiHeaders = helmet({ contentSecurityPolicy: { directives: strictDirectives } });

/**
 * Swagger UI (/docs) and Bull Board (/admin/queues) ship inline <style> blocks and style
 * attributes in their pages: they alone may use inline styles. Their scripts are same-origin
 * files, so scripts stay 'self' (Bull Board's Google Fonts stylesheet is refused: system fonts).
 */
const docsHeaders = helmet({
  contentSecurityPolicy: {
    directives: { ...strictDirectives, styleSrc: ["'self'", "'unsafe-inline'"] },
  },
});

export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  const path = req.path;
  const thirdPartyUi =
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path.startsWith('/docs-') ||
    path === '/admin/queues' ||
    path.startsWith('/admin/queues/');
  (thirdPartyUi ? docsHeaders : apiHeaders)(req, res, next);
}
