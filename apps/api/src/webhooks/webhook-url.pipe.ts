import { ArgumentMetadata, Inject, Injectable, PipeTransform } from '@nestjs/common';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ApiError } from '../errors/api-error';
import { webhookUrlProblem } from './ssrf/webhook-url.check';

/**
 * Submission-time SSRF check of every request body's `webhook_url` (predictions, batches), as a
 * global pipe because it depends on configuration (WEBHOOK_ALLOW_PRIVATE) that the static field
 * schemas cannot see. It refuses IP literals in forbidden ranges, in any spelling, and metadata
 * names; names are checked again at delivery, after resolution. Field syntax stays the schemas' job.
 */
@Injectable()
export class WebhookUrlPipe implements PipeTransform {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // 'custom': @JsonBody() (the JSON body behind a content-type check) is a custom decorator.
    if (!['body', 'custom'].includes(metadata.type) || !value || typeof value !== 'object') return value;
    const url = (value as Record<string, unknown>).webhook_url;
    if (typeof url !== 'string' || url === '') return value;
    const problem = webhookUrlProblem(url, this.config.webhooks.allowPrivate);
    if (problem) throw ApiError.invalid(problem);
    return value;
  }
}
