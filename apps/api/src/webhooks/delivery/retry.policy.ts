/**
 * When to try a failed delivery again: the configured schedule (delays between consecutive
 * attempts), each delay with +-10% jitter so receivers coming back are not hit in lockstep, and
 * never sooner than the receiver's Retry-After (capped, so a receiver cannot park us for days).
 */
export interface RetrySchedule {
  delaysMs: readonly number[];
  retryAfterMaxMs: number;
}

/** Default delays: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h = 27.6 h (>= 24 h even at -10%). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];

export const JITTER = 0.1;

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The delay after attempt number `attemptIndex` (0 = the first attempt) failed, or null when the
 * schedule is exhausted. `random` is injectable so tests can pin the jitter.
 */
export function nextDelayMs(
  schedule: RetrySchedule,
  attemptIndex: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number | null {
  const base = schedule.delaysMs[attemptIndex];
  if (base === undefined) return null;
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  const asked = retryAfterMs === null ? 0 : Math.min(retryAfterMs, schedule.retryAfterMaxMs);
  return Math.max(jittered, asked);
}
