import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { startApi, startWorker } from './stack';
import { poll } from './test-env';

/** Helpers for the batch end-to-end tests: real HTTP against the running API. */

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A small image whose pixels (and so bytes) depend on `seed`: distinct seeds never dedupe. */
export async function makeImage(seed: number, format: 'jpeg' | 'png' = 'jpeg', size = 24): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < pixels.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    pixels[i] = x & 0xff;
  }
  const image = sharp(pixels, { raw: { width: size, height: size, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

export interface Api {
  url: string;
  headers: Record<string, string>;
}

export async function call<T = Record<string, unknown>>(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...api.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: (text && res.headers.get('content-type')?.startsWith('application/json')
      ? JSON.parse(text)
      : null) as T,
  };
}

export type FormPart = { field: string; value: string } | { file: string; bytes: Buffer; field?: string };

/** POST /v1/batches/{id}/images with the parts in this order. */
export async function addImages(api: Api, batchId: string, parts: FormPart[]) {
  const form = new FormData();
  for (const part of parts) {
    if ('value' in part) form.append(part.field, part.value);
    else
      form.append(
        part.field ?? 'image',
        new Blob([part.bytes], { type: 'application/octet-stream' }),
        part.file,
      );
  }
  const res = await fetch(`${api.url}/v1/batches/${batchId}/images`, {
    method: 'POST',
    body: form,
    headers: api.headers,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface PredictionBody {
  id: string;
  status: string;
  filename: string | null;
  metadata: Record<string, unknown>;
  batch_id: string | null;
  image: { sha256: string; bytes: number; width: number; height: number; format: string };
  result: { cached: boolean; probabilities: Array<{ label: string; probability: number }> } | null;
  error: { code: string; message: string } | null;
}

export interface BatchBody {
  id: string;
  status: string;
  name: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  sealed_at: string | null;
  completed_at: string | null;
  canceled_at: string | null;
  counts: {
    total: number;
    queued: number;
    processing: number;
    succeeded: number;
    failed: number;
    canceled: number;
  };
  model_versions: string[];
}

export interface Ticket {
  prediction_id: string;
  filename: string;
  url: string | null;
  headers: Record<string, string>;
  expires_at: string | null;
}

export async function createBatch(api: Api, body: Record<string, unknown> = {}): Promise<BatchBody> {
  const res = await call<BatchBody>(api, 'POST', '/v1/batches', body);
  if (res.status !== 201) throw new Error(`POST /v1/batches answered ${res.status}: ${res.text}`);
  return res.body;
}

export function waitCompleted(api: Api, id: string): Promise<BatchBody> {
  return poll(
    () => call<BatchBody>(api, 'GET', `/v1/batches/${id}`),
    (r) => r.body.status === 'completed',
    60_000,
    100,
  ).then((r) => r.body);
}

/**
 * The real API and worker on one key prefix, with two tenants (a and b) and a 64 KiB upload limit
 * (`extra` adds to or replaces their settings).
 */
export async function startBatchStack(
  prefix: string,
  extra: Record<string, string> = {},
): Promise<{ a: Api; b: Api; close: () => Promise<void> }> {
  const env = {
    API_KEYS: 'tenant_a:key-of-tenant-a-1234,tenant_b:key-of-tenant-b-5678',
    MAX_UPLOAD_BYTES: '65536',
    ...extra,
  };
  const api = await startApi(prefix, env);
  const worker = await startWorker(prefix, env);
  return {
    a: { url: api.url, headers: { authorization: 'Bearer key-of-tenant-a-1234' } },
    b: { url: api.url, headers: { authorization: 'Bearer key-of-tenant-b-5678' } },
    close: async () => {
      await worker.close();
      await api.close();
    },
  };
}
