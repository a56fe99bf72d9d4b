import { badRequest } from '../errors.ts';

/**
 * Which database hosts a connection may name. A studio dials whatever host an
 * editor types, so without a policy it is a request forger into the network it
 * runs in: loopback services, the cloud metadata endpoint, private subnets.
 *
 * The check is structural and runs on the host as written, before any driver is
 * involved: literal addresses in every spelling the URL parser accepts (the
 * drivers build URLs from the host, so `2130706433`, `0x7f000001`, `0177.0.0.1`,
 * full-width digits and IPv4-mapped IPv6 all reach 127.0.0.1) and the well-known
 * local names. A Worker cannot resolve DNS before the driver connects, so a
 * public name that resolves to a private address is not caught here; on
 * Cloudflare that is covered by the platform, whose outbound fetch and sockets
 * reach only the public internet. Self-hosted deployments that dial their own
 * network set `ALLOW_PRIVATE_HOSTS=1` (and `npm start` does, for the local servers).
 */

/** Names that always mean "this machine" or a cloud's metadata service. */
const LOCAL_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'ip6-localhost',
  'ip6-loopback',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** IPv4 ranges that are not the public internet: [first octets as a 32-bit base, prefix length, label]. */
const IPV4_BLOCKED: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const v4Number = (dotted: string) => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);

const IPV4_RANGES = IPV4_BLOCKED.map(([base, bits, label]) => ({
  base: v4Number(base),
  size: 2 ** (32 - bits),
  label,
}));

/** The range label for a blocked IPv4 address (as a 32-bit number), or null when public. */
function ipv4Refusal(address: number): string | null {
  const range = IPV4_RANGES.find((r) => address >= r.base && address < r.base + r.size);
  return range ? range.label : null;
}

/** Eight 16-bit groups of a canonical (URL-serialized) IPv6 address; null when malformed. */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const v4Of = (high: number, low: number) => high * 65536 + low;

function ipv6Refusal(groups: number[]): string | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embedded = (label: string, v4: number) => {
    const inner = ipv4Refusal(v4);
    return inner ? `${label} ${inner}` : null;
  };
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped).
    if (g5 === 0xffff) return embedded('IPv4-mapped', v4Of(g6, g7));
    if (g5 === 0) {
      if (g6 === 0 && g7 === 0) return 'unspecified';
      if (g6 === 0 && g7 === 1) return 'loopback';
      return embedded('IPv4-compatible', v4Of(g6, g7));
    }
  }
  // 64:ff9b::/96 (NAT64, well-known prefix) carries an IPv4 address in its last 32 bits.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return embedded('NAT64', v4Of(g6, g7));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'NAT64 local-use';
  // 6to4 (2002::/16) embeds an IPv4 address in bits 16–48; Teredo (2001::/32) one, inverted, at the end.
  if (g0 === 0x2002) return embedded('6to4', v4Of(g1, g2));
  if (g0 === 0x2001 && g1 === 0) return embedded('Teredo', v4Of(g6 ^ 0xffff, g7 ^ 0xffff));
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'discard-only';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local';
  // fc00::/7 holds AWS's metadata address fd00:ec2::254 as well as private networks.
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  return null;
}

/**
 * The host as the drivers will see it: parsed by the WHATWG URL parser (which
 * decodes percent-escapes, maps full-width characters, reads decimal, hex and
 * octal IPv4 spellings and compresses IPv6), lower-cased, without a trailing
 * dot. Null when no URL could carry it.
 */
export function canonicalHost(host: string): string | null {
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  // Anything that would make the host part of a URL mean something else (credentials, a path,
  // a libpq-style host list).
  if (!h || /[\s/\\@?#[\],;]/.test(h)) return null;
  try {
    const { hostname } = new URL(`http://${h.includes(':') ? `[${h}]` : h}/`);
    return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '');
  } catch {
    return null;
  }
}

/** Why `host` may not be dialled without the private-hosts allowance, or null when it may. */
export function hostRefusal(host: string): string | null {
  const canonical = canonicalHost(host);
  if (canonical === null || canonical === '') return 'not a valid host name';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(canonical)) {
    const label = ipv4Refusal(v4Number(canonical));
    return label ? `a ${label} address` : null;
  }
  if (canonical.includes(':')) {
    const groups = ipv6Groups(canonical);
    if (!groups) return 'not a valid IPv6 address';
    const label = ipv6Refusal(groups);
    return label ? `a ${label} address` : null;
  }
  if (LOCAL_NAMES.has(canonical) || canonical.endsWith('.localhost')) return 'a local name';
  return null;
}

/** `ALLOW_PRIVATE_HOSTS=1` (or `true`): a self-hosted deployment may dial its own network. */
export function privateHostsAllowed(env: { ALLOW_PRIVATE_HOSTS?: string | undefined }): boolean {
  const value = env.ALLOW_PRIVATE_HOSTS?.trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/**
 * Throws `400 host_not_allowed` unless `host` may be dialled. Read from `env` on
 * every call, so the allowance is a deployment setting and never cached.
 */
export function assertHostAllowed(env: { ALLOW_PRIVATE_HOSTS?: string | undefined }, host: string): void {
  if (privateHostsAllowed(env)) return;
  const reason = hostRefusal(host);
  if (reason === null) return;
  throw badRequest(
    'host_not_allowed',
    `The host is ${reason}; this deployment connects only to public database hosts (a self-hosted deployment can set ALLOW_PRIVATE_HOSTS=1)`,
  );
}
