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

  it('honours Retry-After on 429 and 503 without using up attempts, within its patience', async () => {
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        const status = calls % 2 ? 429 : 503;
        if (calls <= 10) checkRetryable(new Response('', { status, headers: { 'retry-after': '0' } }));
        return 'ok';
      },
      { ...fast, attempts: 2 },
    );
    expect([value, calls]).toEqual(['ok', 11]);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          checkRetryable(new Response('', { status: 429, headers: { 'retry-after': '1' } }));
        },
        { ...fast, attempts: 2, patienceMs: 0 },
      ),
    ).rejects.toThrow('HTTP 429');
    expect(calls).toBe(2);
  });
});
