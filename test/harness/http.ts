import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

export interface UploadOptions {
  filename?: string;
  fields?: Record<string, string>;
  headers?: Record<string, string>;
  contentType?: string;
}

/** POST /v1/predictions as a real multipart request. */
export async function uploadPrediction(
  baseUrl: string,
  bytes: Buffer,
  options: UploadOptions = {},
): Promise<Response> {
  const form = new FormData();
  form.append(
    'image',
    new Blob([bytes], { type: options.contentType ?? 'application/octet-stream' }),
    options.filename ?? 'image.bin',
  );
  for (const [k, v] of Object.entries(options.fields ?? {})) form.append(k, v);
  return fetch(`${baseUrl}/v1/predictions`, { method: 'POST', body: form, headers: options.headers });
}

export async function uploadFile(
  baseUrl: string,
  path: string,
  options: UploadOptions = {},
): Promise<Response> {
  return uploadPrediction(baseUrl, await readFile(path), { filename: basename(path), ...options });
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}
