import { DEFAULT_RETRY_DELAYS_MS, nextDelayMs, parseRetryAfter } from './retry.policy';

const schedule = { delaysMs: DEFAULT_RETRY_DELAYS_MS, retryAfterMaxMs: 6 * 3600_000 };

describe('retry policy', () => {
  it('retries for at least 24 h in total by default, even with every delay at -10% jitter', () => {
    const lowest = DEFAULT_RETRY_DELAYS_MS.reduce(
      (sum, _, i) => sum + nextDelayMs(schedule, i, null, () => 0)!,
      0,
    );
    expect(lowest).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(DEFAULT_RETRY_DELAYS_MS).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('jitters each delay within +-10%', () => {
    expect(nextDelayMs(schedule, 1, null, () => 0)).toBe(270_000);
    expect(nextDelayMs(schedule, 1, null, () => 0.5)).toBe(300_000);
    expect(nextDelayMs(schedule, 1, null, () => 1)).toBe(330_000);
  });

  it('ends when the schedule is exhausted', () => {
    expect(nextDelayMs(schedule, DEFAULT_RETRY_DELAYS_MS.length, null)).toBeNull();
    expect(nextDelayMs({ delaysMs: [100, 200, 300], retryAfterMaxMs: 0 }, 3, null)).toBeNull();
  });

  it('waits at least what Retry-After asks, up to the cap', () => {
    expect(nextDelayMs(schedule, 0, 120_000, () => 0.5)).toBe(120_000);
    expect(nextDelayMs(schedule, 0, 1_000, () => 0.5)).toBe(5_000);
    expect(nextDelayMs(schedule, 0, 30 * 86400_000, () => 0.5)).toBe(6 * 3600_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
