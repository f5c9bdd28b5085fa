/**
 * Webhook delivery: an HTTP POST of the report (metadata and files, base64) with an
 * HMAC-SHA256 signature over "<timestamp>.<body>" in the `X-Silhouette-Signature` header, so
 * the receiver can check origin and freshness. Verify with `verifyWebhookSignature`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-silhouette-signature';
export const TIMESTAMP_HEADER = 'x-silhouette-timestamp';

export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** True when `signature` signs `body` at `timestamp` and the timestamp is recent enough. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  options: { now?: number; toleranceS?: number } = {},
): boolean {
  const sentAt = Number(timestamp);
  const now = options.now ?? Date.now();
  if (!Number.isFinite(sentAt) || Math.abs(now / 1000 - sentAt) > (options.toleranceS ?? 300))
    return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export class WebhookError extends Error {
  readonly code = 'webhook_failed';
}

export async function postWebhook(
  url: string,
  secret: string,
  payload: unknown,
  timeoutMs = 15_000,
): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhookBody(secret, timestamp, body),
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new WebhookError(`webhook request failed: ${(error as Error).name}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new WebhookError(`webhook answered HTTP ${response.status}`);
}
