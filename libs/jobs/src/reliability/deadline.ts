export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
}

/**
 * Waits for `promise` at most `ms`, then rejects with DeadlineExceededError(message): STYLE.md's
 * "no network call without a timeout" where the client has none of its own for this call (a
 * Redis read while ioredis retries, a DNS lookup, a drain). The abandoned promise is left to
 * settle on its own; Promise.race keeps listening to it, so its late failure is not unhandled.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(message)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
