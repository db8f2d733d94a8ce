import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The viewer's pages and scripts are static files built with the API (`npm run build` writes them
 * to dist/viewer); they hold no data, so they need no key: every piece of data they show comes from
 * /v1 with the signed-in key and its tenant checks.
 *
 * Its own Content-Security-Policy (same-origin scripts, styles and fetches; images also from blob:
 * and data:; no inline code) states what the viewer needs, whatever a global policy adds.
 */
export const VIEWER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** dist/viewer of the checkout (or image) this code runs from: the folder holding package.json. */
export function viewerDir(from = __dirname): string | null {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  const built = join(dir, 'dist', 'viewer');
  return existsSync(join(built, 'index.html')) ? built : null;
}

export function mountViewer(app: NestExpressApplication): void {
  const dir = viewerDir();
  if (!dir) {
    new Logger('Viewer').warn('dist/viewer is missing (run `npm run build`): /ui answers 404');
    return;
  }
  app.useStaticAssets(dir, {
    prefix: '/ui',
    index: 'index.html',
    redirect: true,
    setHeaders: (res) => {
      res.setHeader('Content-Security-Policy', VIEWER_CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-cache');
    },
  });
}
