/**
 * The viewer's only way to the data: the public API with the signed-in key, so every tenant check
 * is the API's own. The key lives in this tab's sessionStorage only (never a URL, a cookie or a log).
 */
const KEY = 'dermafleet.apiKey';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds the API asked us to wait (Retry-After), if it said. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string): void => sessionStorage.setItem(KEY, key),
  signOut: (): void => sessionStorage.removeItem(KEY),
};

/** Called when the API refuses the key (the router sends the user back to sign-in). */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = session.key();
  if (key) headers.set('authorization', `Bearer ${key}`);
  const res = await fetch(path, { ...init, headers, cache: 'no-store', credentials: 'omit' });
  if (res.ok) return res;
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { code: string; message: string } };
    if (body.error) ({ code, message } = body.error);
  } catch {
    // not a JSON error body: keep the status line
  }
  if (res.status === 401) onUnauthorized();
  // Whole seconds only (an HTTP date, 0 or nonsense: no advice), and never more than a minute.
  const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
  const advised = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) : undefined;
  throw new ApiFailure(res.status, code, message, advised);
}

/** Whether the API accepts a key (before it is kept: a refused key is never stored). */
export async function keyAccepted(key: string): Promise<boolean> {
  const res = await fetch('/v1/batches?limit=1', {
    headers: { authorization: `Bearer ${key}` },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (res.status === 401) return false;
  if (!res.ok) throw new ApiFailure(res.status, 'http_error', `${res.status} ${res.statusText}`);
  return true;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const res = await request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

/**
 * An image the API serves behind the key, as a blob: URL (an <img src> cannot send the key). A
 * 503 with Retry-After (a page of new thumbnails queued behind others) is asked again a few
 * times, a little later than told so that a grid's cells do not all come back at once.
 */
export async function blobUrl(path: string, owner: BlobOwner): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const blob = await (await request(path)).blob();
      return owner.keep(URL.createObjectURL(blob));
    } catch (err) {
      const wait = err instanceof ApiFailure && err.status === 503 ? err.retryAfterS : undefined;
      if (wait === undefined || attempt >= 5 || owner.closed) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000 * (1 + Math.random() / 2)));
    }
  }
}

/** Blob URLs of one page, revoked when the page goes away. */
export class BlobOwner {
  private urls: string[] = [];
  /** The page went away: a URL made after that (a late retry's) is revoked at once. */
  closed = false;
  keep(url: string): string {
    if (this.closed) URL.revokeObjectURL(url);
    else this.urls.push(url);
    return url;
  }
  revokeAll(): void {
    this.closed = true;
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
  }
}
