import { checkRetryable, withRetry } from './http-retry';

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

describe('withRetry', () => {
  it('retries network errors and retryable statuses, then succeeds', async () => {
    let calls = 0;
    const value = await withRetry(async () => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed');
      if (calls === 2) checkRetryable(new Response('', { status: 503, headers: { 'retry-after': '0' } }));
      return 'ok';
    }, fast);
    expect([value, calls]).toEqual(['ok', 3]);
  });

  it('does not retry other errors, and gives up after the attempts', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new Error('bad request');
      }, fast),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new TypeError('fetch failed');
      }, fast),
    ).rejects.toThrow('fetch failed');
    expect(calls).toBe(4);
  });
});
