/**
 * Webhook delivery: an HTTP POST of the report (metadata and files, base64) with an
 * HMAC-SHA256 signature over "<timestamp>.<body>" in the `X-Silhouette-Signature` header, so
 * the receiver can check origin and freshness. Verify with `verifyWebhookSignature`. Which
 * targets are reachable is `webhook-target.ts`'s decision (public addresses, or allow-listed).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {
  checkWebhookUrl,
  publicOnlyLookup,
  lookupVia,
  WebhookTargetError,
  type Resolver,
} from './webhook-target';

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

export interface WebhookDeliveryOptions {
  /** The operator's allow-list (`WEBHOOK_ALLOW_HOSTS`, parsed); empty: public addresses only. */
  allowHosts?: readonly string[];
  timeoutMs?: number;
  /** Name resolution; default the system resolver (`dns.lookup`). Tests script DNS answers. */
  resolve?: Resolver;
}

/**
 * POSTs the signed payload. The target must pass `checkWebhookUrl`, and a name must resolve to
 * public addresses only (checked on the addresses the request connects to; see
 * `webhook-target.ts`). A refused target throws `WebhookTargetError` with one fixed message.
 */
export async function postWebhook(
  url: string,
  secret: string,
  payload: unknown,
  options: WebhookDeliveryOptions = {},
): Promise<void> {
  const target = checkWebhookUrl(url, { allowHosts: options.allowHosts ?? [] });
  if (!target.ok) throw new WebhookTargetError();
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const transport = target.url.protocol === 'https:' ? https : http;
  const status = await new Promise<number>((resolve, reject) => {
    const request = transport.request(
      target.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhookBody(secret, timestamp, body),
        },
        // Allow-listed hosts resolve as usual; any other name must resolve to public addresses.
        lookup: options.resolve
          ? lookupVia(options.resolve, !target.allowListed)
          : target.allowListed
            ? undefined
            : publicOnlyLookup,
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', (error) =>
      reject(
        error instanceof WebhookTargetError
          ? error
          : new WebhookError(`webhook request failed: ${error.name}`),
      ),
    );
    request.end(body);
  });
  // Redirects are not followed: a 3xx could point anywhere, including inside the network.
  if (status < 200 || status >= 300) throw new WebhookError(`webhook answered HTTP ${status}`);
}
