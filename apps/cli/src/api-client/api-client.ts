import { randomUUID } from 'node:crypto';
import { CliError } from '../cli-errors';
import type { AddImagesAnswer, Batch, CompleteAnswer, UploadEntry, UploadsAnswer } from './api.types';
import { checkRetryable, defaultRetry, RetryableStatus, type RetryPolicy, withRetry } from './http-retry';

export interface ApiSettings {
  /** Base URL without a trailing slash. */
  api: string;
  key: string | undefined;
}

/** An error answer of the API: `{"error": {"code", "message"}}` and its status. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The dermafleet HTTP API as the CLI uses it: global fetch, a timeout on every call, retries with
 * backoff for transient failures (network errors, 429/5xx, Retry-After honoured). Every call the
 * CLI retries is idempotent on the server (uploads by filename, complete, seal, multipart by
 * filename and bytes). An API that stays unreachable ends the command with exit status 2.
 */
export class ApiClient {
  /** `retry`: the default rides out half a minute of trouble (a long submit); one-shot commands pass `quickRetry`. */
  constructor(
    readonly settings: ApiSettings,
    private readonly retry: RetryPolicy = defaultRetry,
  ) {}

  /**
   * Creation is retried on timeouts and 5xx; one Idempotency-Key for all attempts makes the API
   * answer the batch the first attempt created instead of leaving orphan batches behind.
   */
  createBatch(body: {
    name?: string;
    webhook_url?: string;
    metadata?: Record<string, unknown>;
  }): Promise<Batch> {
    return this.json('POST', '/v1/batches', body, DEFAULT_TIMEOUT_MS, { 'idempotency-key': randomUUID() });
  }

  /** The batch; with `waitSeconds`, the API holds the answer until it completes or that time passes. */
  getBatch(id: string, waitSeconds = 0): Promise<Batch> {
    const wait = waitSeconds > 0 ? `?wait=${waitSeconds}` : '';
    return this.json(
      'GET',
      `/v1/batches/${encodeURIComponent(id)}${wait}`,
      undefined,
      30_000 + waitSeconds * 1000,
    );
  }

  seal(id: string): Promise<Batch> {
    return this.json('POST', `/v1/batches/${encodeURIComponent(id)}/seal`);
  }

  /** Queued predictions end canceled, running ones finish (idempotent). */
  cancelBatch(id: string): Promise<Batch> {
    return this.json('POST', `/v1/batches/${encodeURIComponent(id)}/cancel`);
  }

  /** Re-queues failed predictions in place: `transient` ones, or `all` that have an image. */
  retryBatch(id: string, which: 'transient' | 'all'): Promise<{ retried: number }> {
    return this.json('POST', `/v1/batches/${encodeURIComponent(id)}/retry`, { which });
  }

  /** Erases the batch (204, no body). */
  async deleteBatch(id: string): Promise<void> {
    await this.request<null>('DELETE', `/v1/batches/${encodeURIComponent(id)}`, undefined);
  }

  /** Erases one prediction, also one past the retention (204, no body). */
  async deletePrediction(id: string): Promise<void> {
    await this.request<null>('DELETE', `/v1/predictions/${encodeURIComponent(id)}`, undefined);
  }

  uploads(id: string, files: UploadEntry[]): Promise<UploadsAnswer> {
    return this.json('POST', `/v1/batches/${encodeURIComponent(id)}/uploads`, { files });
  }

  complete(id: string, predictionIds: string[]): Promise<CompleteAnswer> {
    return this.json(
      'POST',
      `/v1/batches/${encodeURIComponent(id)}/uploads/complete`,
      { prediction_ids: predictionIds },
      180_000,
    );
  }

  /** Multipart upload; `form` is rebuilt for each attempt (a sent body cannot be sent again). */
  addImages(id: string, form: () => Promise<FormData>): Promise<AddImagesAnswer> {
    return this.request<AddImagesAnswer>(
      'POST',
      `/v1/batches/${encodeURIComponent(id)}/images`,
      form,
      300_000,
    );
  }

  /** The results stream (the caller reads the body). */
  /**
   * The results stream (the caller reads the body). The timeout covers the answer's headers
   * only: an export of a million rows may rightly stream for many minutes.
   */
  async results(id: string, format: 'csv' | 'ndjson' | 'fhir-ndjson'): Promise<Response> {
    const url = `${this.settings.api}/v1/batches/${encodeURIComponent(id)}/results?format=${encodeURIComponent(format)}`;
    return this.send(async () => {
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException('no answer in time', 'TimeoutError')),
        DEFAULT_TIMEOUT_MS,
      );
      try {
        const res = checkRetryable(await fetch(url, { headers: this.headers(), signal: controller.signal }));
        if (!res.ok) throw await this.errorOf(res);
        return res;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  private json<T>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    return this.request<T>(
      method,
      path,
      body === undefined ? undefined : async () => JSON.stringify(body),
      timeoutMs,
      extraHeaders,
    );
  }

  private request<T>(
    method: string,
    path: string,
    body: (() => Promise<string | FormData>) | undefined,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    return this.send(async () => {
      const payload = body ? await body() : undefined;
      const headers = this.headers({
        ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}),
        ...extraHeaders,
      });
      const res = checkRetryable(
        await fetch(`${this.settings.api}${path}`, {
          method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(timeoutMs),
        }),
      );
      if (!res.ok) throw await this.errorOf(res);
      if (res.status === 204) return null as T;
      return (await res.json()) as T;
    });
  }

  private async send<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(attempt, this.retry);
    } catch (err) {
      if (err instanceof ApiRequestError) throw err;
      if (err instanceof RetryableStatus) throw await this.errorOf(err.response);
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new CliError(
        `Cannot reach the API at ${this.settings.api} (${cause}); try again later (progress is kept).`,
      );
    }
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.settings.key ? { authorization: `Bearer ${this.settings.key}` } : {}), ...extra };
  }

  private async errorOf(res: Response): Promise<ApiRequestError> {
    let code = `http_${res.status}`;
    let message = `The API answered ${res.status} ${res.statusText}.`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.code) code = body.error.code;
      if (body.error?.message) message = body.error.message;
    } catch {
      // not our error body: keep the status line
    }
    return new ApiRequestError(res.status, code, message);
  }
}
