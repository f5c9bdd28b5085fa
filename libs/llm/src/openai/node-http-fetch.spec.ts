import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from './node-http-fetch';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

let server: http.Server | undefined;
const sockets = new Set<Socket>();

async function serve(handler: Handler): Promise<string> {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString(), res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('nodeHttpFetch', () => {
  it('sends method, headers and body, and answers with a Response the SDK can read', async () => {
    const seen: { method?: string; auth?: string; type?: string; body?: string }[] = [];
    const base = await serve((req, body, res) => {
      seen.push({
        method: req.method,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        body,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      res.end(JSON.stringify({ ok: true, echo: JSON.parse(body) }));
    });
    const fetch = nodeHttpFetch({ maxSockets: 2 });
    const response = await fetch(`${base}/v1/x`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }),
      body: JSON.stringify({ question: 'é' }),
    });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/v1/x`);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({ ok: true, echo: { question: 'é' } });
    expect(seen).toEqual([
      {
        method: 'POST',
        auth: 'Bearer k',
        type: 'application/json',
        body: '{"question":"é"}',
      },
    ]);
  });

  it('decodes a gzip answer and drops the headers that described the encoded body', async () => {
    const base = await serve((_req, _body, res) => {
      const encoded = gzipSync(JSON.stringify({ hello: 'world' }));
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(encoded.length),
      });
      res.end(encoded);
    });
    const response = await nodeHttpFetch({ maxSockets: 1 })(`${base}/`, {});
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('rejects with an AbortError when the signal fires before the answer ends', async () => {
    const base = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":'); // and never ends
    });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await nodeHttpFetch({ maxSockets: 1 })(`${base}/`, {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects a failed connection as undici does (TypeError with the cause)', async () => {
    const base = await serve(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    const error = await nodeHttpFetch({ maxSockets: 1 })(`${base}/`, { method: 'POST', body: '{}' })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('rejects an answer cut off mid-body', async () => {
    const base = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"cut":');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const error = await nodeHttpFetch({ maxSockets: 1 })(`${base}/`, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
  });

  it('sends a request again once when the server closes the kept-alive connection it met', async () => {
    let requests = 0;
    const base = await serve((req, _body, res) => {
      requests++;
      // The second request arrives on the first one's connection: close it unanswered, as a
      // server does whose keep-alive timeout ran out as the request was written.
      if (requests === 2) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n: requests }));
    });
    const fetch = nodeHttpFetch({ maxSockets: 1 });
    expect(await (await fetch(`${base}/`, { method: 'POST', body: '{}' })).json()).toEqual({
      n: 1,
    });
    expect(await (await fetch(`${base}/`, { method: 'POST', body: '{}' })).json()).toEqual({
      n: 3,
    });
    expect(requests).toBe(3);
  });

  it('answers 204 with no body and hands other bodies to the global fetch', async () => {
    const bodies: string[] = [];
    const base = await serve((_req, body, res) => {
      bodies.push(body);
      res.writeHead(204);
      res.end();
    });
    const fetch = nodeHttpFetch({ maxSockets: 1 });
    const empty = await fetch(`${base}/`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    await fetch(`${base}/`, { method: 'POST', body: new Blob(['from a blob']) });
    expect(bodies).toEqual(['', 'from a blob']);
  });

  it('serves the openai client: statuses and Retry-After reach the SDK as APIErrors', async () => {
    const base = await serve((_req, _body, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '5' });
      res.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit' } }));
    });
    const openai = new OpenAI({
      baseURL: `${base}/v1`,
      apiKey: 'k',
      maxRetries: 0,
      fetch: nodeHttpFetch({ maxSockets: 1 }),
    });
    const error = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after-ms')).toBe(
      '5',
    );
  });
});
