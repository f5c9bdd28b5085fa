/**
 * Which URLs a webhook may reach (issue #10, finding 4: a schedule could POST the signed report to
 * `http://127.1`, `http://2130706433` or `https://169.254.169.254`, and the failure reason probed
 * ports). Tenants choose webhook URLs, so by default only PUBLIC unicast addresses are reachable:
 * loopback, private, link-local, CGNAT, multicast, unspecified, reserved and documentation ranges
 * are refused in IPv4 and IPv6, including IPv6 forms that embed an IPv4 address (mapped,
 * compatible, NAT64, 6to4). Every notation is covered because hosts are read through the WHATWG
 * URL parser, which turns `127.1`, `0x7f.1` and `2130706433` into `127.0.0.1`.
 *
 * Two checks, both needed:
 *   - `checkWebhookUrl`, without DNS: scheme, credentials, IP literals and local names. The API
 *     answers a bad schedule with a 400, and delivery checks again (a stored URL may predate this).
 *   - `publicOnlyLookup`, at delivery: the resolver the HTTP request connects through refuses a
 *     name that resolves to any non-public address, so the address checked is the address used
 *     (a second DNS answer cannot rebind the name in between).
 * The operator's allow-list (`WEBHOOK_ALLOW_HOSTS`: `host` or `host:port`, comma-separated) is the
 * only way past them, e.g. for a receiver on the same machine. A refused target gets one fixed
 * message: no status, no resolved address, nothing to probe with.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIPv4, isIPv6, type LookupFunction } from 'node:net';

export const REFUSED_WEBHOOK_TARGET =
  'webhook target refused: only public addresses are reachable (an operator can allow a host with WEBHOOK_ALLOW_HOSTS)';

/** A target the policy refuses; its message is always `REFUSED_WEBHOOK_TARGET`. */
export class WebhookTargetError extends Error {
  readonly code = 'webhook_target_refused';
  constructor() {
    super(REFUSED_WEBHOOK_TARGET);
  }
}

export interface WebhookTargetPolicy {
  /** Normalised `host` or `host:port` entries (`WEBHOOK_ALLOW_HOSTS` as parsed by libs/config). */
  allowHosts: readonly string[];
}

type Range = readonly [network: bigint, prefix: number];

const v4 = (cidr: string): Range => {
  const [address, prefix] = cidr.split('/') as [string, string];
  return [ipv4ToBigInt(address), Number(prefix)];
};
const v6 = (cidr: string): Range => {
  const [address, prefix] = cidr.split('/') as [string, string];
  return [ipv6ToBigInt(address)!, Number(prefix)];
};

/** IPv4 ranges that are not public unicast (IANA special-purpose registry). */
const BLOCKED_V4: readonly Range[] = [
  '0.0.0.0/8', // "this network", unspecified
  '10.0.0.0/8', // private
  '100.64.0.0/10', // CGNAT (shared address space)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local (cloud metadata)
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and 255.255.255.255 broadcast
].map(v4);

/** IPv6 ranges that are not public unicast; forms that embed IPv4 are handled apart. */
const BLOCKED_V6: readonly Range[] = [
  '::/128', // unspecified
  '::1/128', // loopback
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001::/32', // Teredo (embeds an obfuscated IPv4 client)
  '2001:db8::/32', // documentation
  'fc00::/7', // unique local (private)
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
].map(v6);

/** IPv6 forms that carry an IPv4 address, and where it sits (bit offset from the right). */
const EMBEDDING_V4: readonly (readonly [Range, number])[] = [
  [v6('::ffff:0:0/96'), 0], // IPv4-mapped
  [v6('::/96'), 0], // IPv4-compatible (deprecated)
  [v6('64:ff9b::/96'), 0], // NAT64
  [v6('2002::/16'), 80], // 6to4: 2002:AABB:CCDD::
];

function inRange(value: bigint, [network, prefix]: Range, bits: number): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === network >> shift;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** 128-bit value of an IPv6 literal (no brackets, no zone), or undefined when malformed. */
function ipv6ToBigInt(address: string): bigint | undefined {
  if (!isIPv6(address)) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const value = ipv4ToBigInt(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [
    ...headGroups,
    ...Array<string>(tail === undefined ? 0 : missing).fill('0'),
    ...tailGroups,
  ];
  if (groups.length !== 8) return undefined;
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** True for a public unicast IPv4 or IPv6 address; false for anything else, or not an IP. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) {
    const value = ipv4ToBigInt(bare);
    return !BLOCKED_V4.some((range) => inRange(value, range, 32));
  }
  // A zone id (`fe80::1%eth0`) only makes sense on a local link.
  if (bare.includes('%')) return false;
  const value = ipv6ToBigInt(bare);
  if (value === undefined) return false;
  for (const [range, offset] of EMBEDDING_V4) {
    if (!inRange(value, range, 128)) continue;
    const embedded = (value >> BigInt(offset)) & 0xffffffffn;
    const dotted = [24n, 16n, 8n, 0n].map((shift) => String((embedded >> shift) & 0xffn)).join('.');
    return isPublicAddress(dotted);
  }
  return !BLOCKED_V6.some((range) => inRange(value, range, 128));
}

/** Names that only mean something on a local network, refused before any DNS lookup. */
function isLocalName(hostname: string): boolean {
  const name = hostname.replace(/\.$/, '').toLowerCase();
  return (
    !name.includes('.') ||
    /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/.test(name)
  );
}

function allowListed(url: URL, policy: WebhookTargetPolicy): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return policy.allowHosts.some(
    (entry) => entry === url.hostname || entry === `${url.hostname}:${port}`,
  );
}

export type WebhookUrlCheck =
  { ok: true; url: URL; allowListed: boolean } | { ok: false; message: string };

/**
 * The static half of the policy (no DNS): an https URL without credentials whose host is neither
 * a non-public IP literal (in any notation) nor a local name; http and local targets only when
 * the operator allow-listed the host.
 */
export function checkWebhookUrl(value: string, policy: WebhookTargetPolicy): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: 'must be an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, message: 'must not carry credentials' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, message: 'must be an https URL' };
  if (allowListed(url, policy)) return { ok: true, url, allowListed: true };
  if (url.protocol !== 'https:') return { ok: false, message: 'must be an https URL' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIPv4(host) || isIPv6(host);
  if (literal ? !isPublicAddress(host) : isLocalName(host))
    return { ok: false, message: REFUSED_WEBHOOK_TARGET };
  return { ok: true, url, allowListed: false };
}

/**
 * A `lookup` for `http.request` that resolves like the system resolver and refuses the name
 * when ANY of its addresses is not public (a name with one private address could be answered
 * with it on the next try). The connection uses only the addresses checked here.
 */
export const publicOnlyLookup: LookupFunction = lookupVia(dnsLookup as Resolver, true);

/** The system resolver's signature with `all: true` (tests pass a scripted one). */
export type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for `http.request` over `resolve`; with `requirePublic`, `publicOnlyLookup`'s check.
 * Answers in either callback form (`all` or one address), as `net.connect` asks.
 */
export function lookupVia(resolve: Resolver, requirePublic: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const all = (options as LookupOptions).all === true;
    resolve(hostname, { ...(options as LookupOptions), all: true }, (error, list) => {
      if (error) return callback(error, '', 0);
      if (list.length === 0 || (requirePublic && list.some((a) => !isPublicAddress(a.address))))
        return callback(new WebhookTargetError(), '', 0);
      if (all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
