import { checkHost } from './address.policy';

/**
 * Submission-time check of a webhook URL, without DNS: http(s) with a host, and no IP literal
 * (in any spelling) or metadata name that delivery would refuse anyway. Returns a sentence saying
 * what is wrong, or null when the URL is acceptable.
 */
export function webhookUrlProblem(value: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'webhook_url must be an http(s) URL with a host';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return 'webhook_url must be an http(s) URL with a host';
  }
  const host = checkHost(url.hostname, allowPrivate);
  const reason = host.kind === 'address' ? host.verdict.reason : host.reason;
  if (!reason) return null;
  return `webhook_url points at ${url.hostname}, a ${reason.replace('_', '-')} destination that webhooks are never sent to`;
}
