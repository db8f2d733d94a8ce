import type { Response } from 'express';

/**
 * Aborts when the client goes away before we answer. The response's `close` fires when the
 * answer has been sent or the connection has closed; before we answer, only the latter.
 */
export function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  if (res.destroyed) controller.abort();
  else res.once('close', onClose);
  return controller.signal;
}
