/** Statuses worth another try: the server or something in front of it is briefly unavailable. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * 429 rate_limited and 503 queue_full with Retry-After mean "busy, come back then", not
   * "broken": waiting as asked does not use up attempts, up to this much waiting in all.
   */
  patienceMs?: number;
}

/** How long a run keeps honouring Retry-After before it gives up (a long archive outlasts a busy hour). */
const DEFAULT_PATIENCE_MS = 60 * 60 * 1000;

// About half a minute of patience in all: an API restart or a brief network outage is ridden out.
export const defaultRetry: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

/** A few seconds: for one-shot commands (status, results), where a quick answer beats patience. */
export const quickRetry: RetryPolicy = { attempts: 3, baseDelayMs: 300, maxDelayMs: 2_000 };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A response that the policy will retry, carried through the attempts. */
export class RetryableStatus extends Error {
  constructor(
    readonly response: Response,
    readonly retryAfterMs: number | null,
  ) {
    super(`HTTP ${response.status}`);
  }
}

/** Network failures fetch reports as TypeError('fetch failed'), and our own timeouts. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof RetryableStatus) return true;
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'TimeoutError' ||
    err.name === 'AbortError' ||
    (err instanceof TypeError && /fetch failed|network/i.test(err.message))
  );
}

export function retryAfterMs(res: Response): number | null {
  const header = res.headers.get('retry-after');
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Throws RetryableStatus for a status worth retrying, so `withRetry` tries again. */
export function checkRetryable(res: Response): Response {
  if (RETRY_STATUSES.has(res.status)) throw new RetryableStatus(res, retryAfterMs(res));
  return res;
}

/**
 * Runs `attempt` until it succeeds, a non-transient error occurs, or the attempts run out;
 * waits with exponential backoff and full jitter between tries (or what Retry-After asks). A
 * 429 or 503 with Retry-After waits as asked and keeps going without counting an attempt.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy = defaultRetry,
): Promise<T> {
  let patience = policy.patienceMs ?? DEFAULT_PATIENCE_MS;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const asked = err instanceof RetryableStatus ? err.retryAfterMs : null;
      const busy =
        err instanceof RetryableStatus && [429, 503].includes(err.response.status) && asked !== null;
      if (busy && asked <= patience) {
        patience -= asked;
        n--; // the server asked us to wait: that is not a failed attempt
        await sleep(asked);
        continue;
      }
      if (n >= policy.attempts || !isTransientError(err)) throw err;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      await sleep(asked ?? Math.random() * backoff);
    }
  }
}
