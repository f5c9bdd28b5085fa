/**
 * A `fetch` for the `openai` client over `node:http` / `node:https` with keep-alive connections.
 *
 * Why: tagging sends one small request per conversation, and Node's built-in fetch (undici's
 * WHATWG implementation) cost about a third of the worker's CPU per conversation in the scale
 * bench (README "Scale check"). The SDK only needs a request sent and a `Response` back, so this
 * sends the JSON body with `node:http`, reads the whole (small) answer and hands the SDK a real
 * `Response` built from it. Anything it does not handle itself (a body that is not a string or
 * bytes, a scheme other than http/https) goes to the global fetch unchanged.
 *
 * Behaviour the SDK and our retry layer rely on:
 *  - an aborted signal (the SDK's timeout, or the caller's) rejects with an `AbortError`, at any
 *    point until the body is read, and destroys the connection;
 *  - a connection failure rejects with `TypeError('fetch failed', { cause })`, as undici does, so
 *    it is classified as a connection error and retried;
 *  - a request that meets a kept-alive connection the server has just closed (ECONNRESET or EPIPE
 *    before any answer) is sent again once on a fresh connection: it never reached the server's
 *    application, and failing it would spend one of the call's retry attempts on our own race;
 *  - gzip, deflate and brotli answers are decoded (servers behind proxies compress regardless);
 *  - the response is not streamed: nothing here asks for `stream: true`.
 */
import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface NodeHttpFetchOptions {
  /** Connections per origin, at most (the client's concurrency). */
  maxSockets: number;
  /**
   * Idle kept-alive connections are closed after this long: below the usual server keep-alive
   * timeouts (Node 5 s, uvicorn 5 s, nginx 75 s), so that we rarely reuse one the server is
   * closing. Default 4 s.
   */
  idleTimeoutMs?: number;
}

type Fetch = typeof globalThis.fetch;

const abortError = (signal: AbortSignal): unknown =>
  signal.reason instanceof Error && signal.reason.name === 'AbortError'
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError');

/** Request headers as a plain object, whatever form the caller gave. */
function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers) headers.forEach((value, name) => (out[name] = value));
  else if (Array.isArray(headers)) for (const [name, value] of headers) out[name!] = value!;
  else Object.assign(out, headers);
  return out;
}

function decoded(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new TypeError(`unsupported content-encoding ${encoding}`);
  }
}

/** Statuses whose `Response` must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function toResponse(res: http.IncomingMessage, raw: Buffer, url: string): Response {
  const headers = new Headers();
  const encoding = res.headers['content-encoding'];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!;
    // The body handed on is decoded: its length and encoding headers no longer describe it.
    if (encoding && /^(content-encoding|content-length)$/i.test(name)) continue;
    headers.append(name, res.rawHeaders[i + 1]!);
  }
  const status = res.statusCode ?? 0;
  const body = NULL_BODY.has(status) ? null : new Uint8Array(decoded(raw, encoding));
  const response = new Response(body, {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
  // `url` is read-only on Response; the SDK only logs it.
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

export function nodeHttpFetch(options: NodeHttpFetchOptions): Fetch {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    timeout: options.idleTimeoutMs ?? 4_000,
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const send = (
    target: URL,
    init: RequestInit,
    body: string | Uint8Array | undefined,
    retryOnStaleSocket: boolean,
  ): Promise<Response> =>
    new Promise((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(abortError(signal));
      const headers = plainHeaders(init.headers);
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const protocol = target.protocol as 'http:' | 'https:';
      const request = (protocol === 'https:' ? https : http).request(target, {
        method: init.method ?? 'GET',
        headers,
        agent: agents[protocol],
      });
      let settled = false;
      let answered = false;
      const onAbort = () => {
        request.destroy();
        fail(abortError(signal!));
      };
      /** True once, for whichever outcome comes first: the others are then ignored. */
      const settle = () => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (error: unknown) => {
        if (settle()) reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const stale =
          retryOnStaleSocket &&
          !answered &&
          request.reusedSocket &&
          (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        if (!stale) return fail(new TypeError('fetch failed', { cause: error }));
        if (settle()) send(target, init, body, false).then(resolve, reject);
      });
      request.on('response', (res) => {
        answered = true; // the server has the request: never sent again from here
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
        res.on('close', () => {
          if (!res.complete)
            fail(
              new TypeError('fetch failed', { cause: new Error('connection closed mid-answer') }),
            );
        });
        res.on('end', () => {
          if (settled) return;
          let response: Response;
          try {
            response = toResponse(res, Buffer.concat(chunks), target.href);
          } catch (error) {
            return fail(new TypeError('fetch failed', { cause: error }));
          }
          if (settle()) resolve(response);
        });
      });
      request.end(body);
    });

  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const target = url === undefined ? undefined : new URL(url);
    const body = init.body ?? undefined;
    const simpleBody = body === undefined || typeof body === 'string' || body instanceof Uint8Array;
    if (!target || !(target.protocol in agents) || !simpleBody) return fetch(input, init);
    return send(target, init, body, true);
  };
}
