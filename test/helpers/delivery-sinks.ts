/**
 * Local delivery targets for tests: an SMTP sink (smtp-server, parsed with mailparser) and an
 * HTTP webhook receiver, both on 127.0.0.1 (allow them with WEBHOOK_ALLOW_HOSTS).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  parsed: ParsedMail;
  raw: string;
}

export function startSmtpSink(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            mails.push({ parsed, raw: raw.toString('utf8') });
            callback();
          })
          .catch(callback);
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({ server, port, mails });
    });
  });
}

export interface WebhookCall {
  /** Path and query the webhook was posted to. */
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function startWebhookReceiver(
  status: () => number,
): Promise<{ server: Server; url: string; calls: WebhookCall[] }> {
  const calls: WebhookCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls.push({
        ...(request.url ? { url: request.url } : {}),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.statusCode = status();
      response.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ server, url: `http://127.0.0.1:${port}/hooks/silhouette`, calls });
    });
  });
}
