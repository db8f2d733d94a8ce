import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks headers for one attempt: every secret signs (rotation: receivers holding
 * either the old or the new secret verify), the signatures space-separated in one header.
 * A fresh timestamp per attempt, since receivers refuse timestamps older than 5 minutes.
 */
export function signedHeaders(
  secrets: readonly string[],
  webhookId: string,
  body: string,
  at: Date = new Date(),
): Record<string, string> {
  if (secrets.length === 0) throw new Error('No signing secret: a webhook is never sent unsigned.');
  const signature = secrets.map((secret) => new Webhook(secret).sign(webhookId, at, body)).join(' ');
  return {
    'content-type': 'application/json',
    'user-agent': 'dermafleet-webhooks/1',
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
