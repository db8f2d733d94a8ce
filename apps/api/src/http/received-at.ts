import type { NextFunction, Request, Response } from 'express';

/** When the request's headers arrived (performance.now()), before its body is parsed: for stage timings. */
export function receivedAt(res: Response): number {
  return (res.locals.receivedAt as number | undefined) ?? performance.now();
}

export function stampReceivedAt(_req: Request, res: Response, next: NextFunction): void {
  res.locals.receivedAt = performance.now();
  next();
}
