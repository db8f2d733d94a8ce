import { makeImage } from './harness/batch-api';
import { type RunningApp, startApi } from './harness/stack';
import { uniquePrefix } from './harness/test-env';

/**
 * Backpressure (issue 11): per-tenant request rates counted in Redis and shared by replicas
 * (429 rate_limited + Retry-After), a backlog cap (503 queue_full + Retry-After), and a limit on
 * failed authentication per address. Real API replicas, real Redis; no worker, so jobs wait.
 */
const KEYS = 'tenant_a:bp-key-of-tenant-a,tenant_b:bp-key-of-tenant-b';
const auth = (tenant: 'a' | 'b') => ({ authorization: `Bearer bp-key-of-tenant-${tenant}` });

async function get(api: RunningApp, path: string, headers: Record<string, string>) {
  const res = await fetch(`${api.url}${path}`, { headers });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') };
}

describe('backpressure', () => {
  const prefix = uniquePrefix('backpressure');
  const env = { API_KEYS: KEYS, RATE_LIMIT_PER_SECOND: '20', QUEUE_MAX_BACKLOG: '5' };
  let one: RunningApp;
  let two: RunningApp;

  beforeAll(async () => {
    [one, two] = await Promise.all([startApi(prefix, env), startApi(prefix, env)]);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('answers 429 rate_limited with Retry-After past a tenant rate counted across replicas, and not for another tenant', async () => {
    // 15 requests to each replica at once: each alone is under the 20/s limit, together they are
    // over it. A round may straddle two one-second windows, so up to five rounds.
    let limited: Array<Awaited<ReturnType<typeof get>>> = [];
    for (let round = 0; round < 5 && !limited.length; round++) {
      const answers = await Promise.all(
        [...Array<RunningApp>(15).fill(one), ...Array<RunningApp>(15).fill(two)].map((api) =>
          get(api, '/v1/batches', auth('a')),
        ),
      );
      limited = answers.filter((a) => a.status === 429);
      expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    }
    console.log(`429s in the round: ${limited.length}; first: ${JSON.stringify(limited[0])}`);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toEqual({
      status: 429,
      code: 'rate_limited',
      retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    });
    // Fairness: tenant B is not slowed by A's burst.
    expect((await get(two, '/v1/batches', auth('b'))).status).toBe(200);
  });

  it('answers 503 queue_full with Retry-After once the backlog passes QUEUE_MAX_BACKLOG, and still serves reads', async () => {
    const statuses: number[] = [];
    let full: Response | null = null;
    for (let i = 0; i < 40 && !full; i++) {
      const form = new FormData();
      form.append('image', new Blob([await makeImage(5000 + i)]), `q${i}.jpg`);
      const res = await fetch(`${one.url}/v1/predictions`, {
        method: 'POST',
        body: form,
        headers: auth('a'),
      });
      statuses.push(res.status);
      if (res.status === 503) full = res;
      else await res.arrayBuffer();
      // Counts are re-read at most once a second per replica: give them a moment.
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(full).not.toBeNull();
    const body = (await full!.json()) as { error: { code: string; message: string } };
    console.log(
      `accepted before the cap: ${statuses.filter((s) => s === 202).length}; then ${full!.status} ${JSON.stringify(body)}`,
    );
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(6);
    expect(body.error.code).toBe('queue_full');
    expect(full!.headers.get('retry-after')).toBe('30');
    expect((await get(two, '/v1/batches', auth('b'))).status).toBe(200);
  });

  it('blocks an address after repeated failed authentication, even for a valid key, with Retry-After', async () => {
    const guarded = await startApi(uniquePrefix('authfail'), {
      API_KEYS: KEYS,
      AUTH_FAILURES_PER_MINUTE: '5',
    });
    try {
      const wrong = [];
      for (let i = 0; i < 6; i++)
        wrong.push(await get(guarded, '/v1/batches', { authorization: `Bearer wrong-${i}` }));
      console.log(`wrong keys: ${wrong.map((w) => `${w.status} ${w.code}`).join(', ')}`);
      expect(wrong.slice(0, 4).map((w) => w.status)).toEqual([401, 401, 401, 401]);
      expect(wrong[5]).toEqual({
        status: 429,
        code: 'rate_limited',
        retryAfter: expect.stringMatching(/^[1-9]\d*$/),
      });
      const right = await get(guarded, '/v1/batches', auth('a'));
      expect(right.status).toBe(429);
    } finally {
      await guarded.close();
    }
  });
});
