/**
 * Gongshu's app request signature (shared by the server and the client helper).
 *
 *   stringToSign = METHOD "\n" PATH "\n" SORTED_QUERY "\n" TIMESTAMP "\n" NONCE "\n" SM3_HEX(BODY)
 *   signature    = lowercase hex of HMAC-SM3(appSecret, stringToSign)
 *
 * METHOD upper case; PATH as sent, without the query; SORTED_QUERY the query's name=value pairs,
 * decoded, sorted by name then value, each part re-encoded with encodeURIComponent, joined by "&"
 * (empty when there is no query); TIMESTAMP Unix time in milliseconds; NONCE 16–64 characters of
 * [A-Za-z0-9_-], never reused; SM3_HEX(BODY) over the exact body bytes (the empty string when there
 * is no body). Headers: X-Gs-App-Key, X-Gs-Timestamp, X-Gs-Nonce, X-Gs-Signature.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const HEADER_KEY = 'x-gs-app-key';
export const HEADER_TIMESTAMP = 'x-gs-timestamp';
export const HEADER_NONCE = 'x-gs-nonce';
export const HEADER_SIGNATURE = 'x-gs-signature';

export function sortedQuery(search: string): string {
  const q = search.startsWith('?') ? search.slice(1) : search;
  if (!q) return '';
  const pairs = q
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return i < 0 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))];
    }) as [string, string][];
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function bodyHash(body: string | Uint8Array | undefined | null): string {
  return createHash('sm3')
    .update(body ?? '')
    .digest('hex');
}

export function stringToSign(p: {
  method: string;
  path: string;
  query: string;
  timestamp: string;
  nonce: string;
  body?: string | Uint8Array | null;
}): string {
  return [p.method.toUpperCase(), p.path, sortedQuery(p.query), p.timestamp, p.nonce, bodyHash(p.body)].join('\n');
}

export function sign(secret: string, toSign: string): string {
  return createHmac('sm3', secret).update(toSign).digest('hex');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}
