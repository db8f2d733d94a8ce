import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliveryRecord, WebhookSecretStore, withDeadline } from '@dermafleet/jobs';
import { API_CONFIG, ApiConfig } from '../../config/api.config';
import { DestinationGuard } from '../ssrf/destination.guard';
import { sendWebhook, WebhookSendError } from './webhook.sender';
import { signedHeaders } from './webhook.signer';
import { parseRetryAfter } from './retry.policy';

/** What one attempt came to; `retryable` ones are tried again while the schedule lasts. */
export interface AttemptOutcome {
  kind: 'succeeded' | 'retryable' | 'permanent';
  statusCode: number | null;
  /** The delivery's last_error: null on success, else a snake_case reason. */
  error: string | null;
  retryAfterMs: number | null;
}

const outcome = (
  kind: AttemptOutcome['kind'],
  error: string | null,
  statusCode: number | null = null,
): AttemptOutcome => ({
  kind,
  statusCode,
  error,
  retryAfterMs: null,
});

/**
 * One delivery attempt: check where the URL leads (SSRF guard), sign, POST to the checked
 * address, and classify the answer. Logs name the URL's origin only: receivers often put a token
 * in the path or query, and the signing secrets are never logged at all.
 */
@Injectable()
export class DeliveryAttemptService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly guard: DestinationGuard,
    private readonly secrets: WebhookSecretStore,
  ) {}

  async attempt(record: DeliveryRecord): Promise<AttemptOutcome> {
    const { timeoutMs } = this.config.webhooks;
    let url: URL;
    try {
      url = new URL(record.url);
    } catch {
      return outcome('permanent', 'invalid_url');
    }
    let destination;
    try {
      destination = await withDeadline(
        this.guard.check(url),
        timeoutMs,
        `resolving ${url.hostname} took longer than ${timeoutMs} ms`,
      );
    } catch (err) {
      this.logger.log(`Delivery ${record.id} to ${url.origin}: ${(err as Error).message}`);
      return outcome('retryable', 'dns_failed');
    }
    if (!destination.allowed) {
      this.logger.warn(
        `Delivery ${record.id} refused: ${url.hostname} is a ${destination.reason} destination` +
          (destination.address ? ` (${destination.address})` : ''),
      );
      return outcome('permanent', 'destination_forbidden');
    }
    const headers = signedHeaders(
      await this.secrets.secretsFor(record.tenant),
      record.webhook_id,
      record.payload,
    );
    try {
      const { address, family } = destination;
      const res = await sendWebhook({ url, address, family, headers, body: record.payload, timeoutMs });
      return this.classify(res.statusCode, parseRetryAfter(res.retryAfter, Date.now()));
    } catch (err) {
      const code = err instanceof WebhookSendError ? err.code : 'connection_failed';
      this.logger.log(`Delivery ${record.id} to ${url.origin}: ${code} (${(err as Error).message})`);
      return outcome('retryable', code);
    }
  }

  private classify(statusCode: number, retryAfterMs: number | null): AttemptOutcome {
    if (statusCode >= 200 && statusCode < 300) return outcome('succeeded', null, statusCode);
    // 410 Gone: the receiver says this endpoint is no more; stop this delivery.
    if (statusCode === 410) return outcome('permanent', 'gone', statusCode);
    const error = statusCode >= 300 && statusCode < 400 ? 'redirect_not_followed' : 'unexpected_status';
    return { kind: 'retryable', statusCode, error, retryAfterMs };
  }
}
