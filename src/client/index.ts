/**
 * A tiny client for systems that call Gongshu with app credentials. It signs every request
 * (see signing.ts for the algorithm) and returns the parsed JSON or throws a GongshuError with
 * the problem+json body.
 *
 *   const gs = new GongshuClient({ baseUrl: 'http://127.0.0.1:8080', appKey, appSecret });
 *   const me = await gs.request('GET', '/api/v1/apps/ping');
 */
import {
  HEADER_KEY,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  newNonce,
  sign,
  stringToSign,
} from './signing.js';

export * from './signing.js';

export interface ClientOptions {
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** for tests: a fixed clock or nonce */
  now?: () => number;
  nonce?: () => string;
}

export class GongshuError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${String(problem.detail ?? problem.title ?? '')}`);
  }
}

export interface SignedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export class GongshuClient {
  constructor(private readonly opts: ClientOptions) {}

  /** Builds the signed request without sending it (useful to inspect or replay in tests). */
  prepare(method: string, pathWithQuery: string, body?: unknown): SignedRequest {
    const url = new URL(pathWithQuery, this.opts.baseUrl);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const timestamp = String((this.opts.now ?? Date.now)());
    const nonce = (this.opts.nonce ?? newNonce)();
    const signature = sign(
      this.opts.appSecret,
      stringToSign({ method, path: url.pathname, query: url.search, timestamp, nonce, body: text }),
    );
    const headers: Record<string, string> = {
      [HEADER_KEY]: this.opts.appKey,
      [HEADER_TIMESTAMP]: timestamp,
      [HEADER_NONCE]: nonce,
      [HEADER_SIGNATURE]: signature,
    };
    if (text !== undefined) headers['content-type'] = 'application/json';
    return { url: url.toString(), method: method.toUpperCase(), headers, body: text };
  }

  async send(req: SignedRequest): Promise<unknown> {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
    const type = res.headers.get('content-type') ?? '';
    const data = type.includes('json') ? ((await res.json()) as Record<string, unknown>) : { detail: await res.text() };
    if (!res.ok) throw new GongshuError(res.status, String(data.code ?? 'HTTP_' + res.status), data);
    return data;
  }

  request(method: string, pathWithQuery: string, body?: unknown): Promise<unknown> {
    return this.send(this.prepare(method, pathWithQuery, body));
  }
}
