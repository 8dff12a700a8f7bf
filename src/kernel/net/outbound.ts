/**
 * Requests Gongshu makes to addresses an officer typed in (HTTP sources, webhooks): by default they
 * may not reach this machine, its network or the cloud's metadata service, or an officer could read
 * internal services through Gongshu (SSRF). The address is checked when the connection is made —
 * after DNS, for every address the name resolves to, and the connection goes to the address checked
 * (no second lookup a rebinding DNS server could answer differently). IP literals are checked before
 * the request. Redirects are never followed (callers pass `redirect: 'error'` or `'manual'`).
 * `GONGSHU_OUTBOUND_ALLOW` lists what an administrator allows anyway: addresses, CIDR ranges or host names.
 */
import dns from 'node:dns';
import net from 'node:net';
import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';

const BLOCKED = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(a, p, 'ipv4');
for (const [a, p] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  BLOCKED.addSubnet(a, p, 'ipv6');

/** An address this machine's network or the cloud's metadata service answers on (IPv4-mapped IPv6 included). */
export function isInternal(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class OutboundRefused extends Error {
  readonly code = 'OUTBOUND_REFUSED';
  constructor(host: string, address: string) {
    super(
      `拒绝连接内部地址 ${host}（${address}）：本机、内网、链路本地和云元数据地址默认不允许，管理员可用 GONGSHU_OUTBOUND_ALLOW 放行 / refused: ${host} (${address}) is a loopback, private, link-local or metadata address; an administrator may allow it with GONGSHU_OUTBOUND_ALLOW`,
    );
  }
}

export interface OutboundPolicy {
  allowed(host: string, address: string): boolean;
  dispatcher: Agent;
}

/** The policy for an allow-list (addresses, CIDR ranges like 10.1.0.0/16, or host names). */
export function outboundPolicy(allow: string[] = []): OutboundPolicy {
  const nets = new net.BlockList();
  const hosts = new Set<string>();
  for (const entry of allow) {
    const [a, bits] = entry.split('/');
    const family = net.isIP(a ?? '');
    if (family && bits) nets.addSubnet(a!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    else if (family) nets.addAddress(a!, family === 4 ? 'ipv4' : 'ipv6');
    else hosts.add(entry.toLowerCase());
  }
  const allowed = (host: string, address: string) => {
    if (hosts.has(host.toLowerCase())) return true;
    const family = net.isIP(address);
    if (family && nets.check(address, family === 4 ? 'ipv4' : 'ipv6')) return true;
    return !isInternal(address);
  };
  type Addr = { address: string; family: number };
  const lookup = (
    hostname: string,
    options: { all?: boolean },
    cb: (err: Error | null, address: string | Addr[], family?: number) => void,
  ) => {
    dns.lookup(hostname, { all: true }, (err, addresses) => {
      if (err) return cb(err, '');
      const bad = addresses.find((a) => !allowed(hostname, a.address));
      if (bad || addresses.length === 0) return cb(new OutboundRefused(hostname, bad?.address ?? '?'), '');
      if (options.all) cb(null, addresses);
      else cb(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  return { allowed, dispatcher: new Agent({ connect: { lookup: lookup as never } }) };
}

/** fetch under the policy: an IP literal is checked first, a name when it is resolved at connect time. */
export async function outboundFetch(
  policy: OutboundPolicy,
  url: string | URL,
  init: RequestInit = {},
): Promise<Response> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && !policy.allowed(host, host)) throw new OutboundRefused(host, host);
  try {
    return await undiciFetch(u, { ...init, dispatcher: policy.dispatcher });
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof OutboundRefused) throw cause;
    throw e;
  }
}
