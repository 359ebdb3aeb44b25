import { isIP } from 'node:net';

/** Express's names for address ranges, allowed in TRUST_PROXY next to addresses and CIDRs. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as Express's `trust proxy` setting: a hop count (`1`: one load balancer in front), or a
 * comma-separated list of the proxies' addresses, CIDRs or Express's range names. Unset: `false`,
 * the socket's address is the client's (X-Forwarded-For is ignored, so no client can forge it).
 */
export function trustProxySetting(value: string | undefined): number | string[] | false {
  if (value === undefined) return false;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  return value.split(',').map((v) => v.trim());
}

/** Whether TRUST_PROXY is a hop count or a list of addresses, CIDRs and range names. */
export function validTrustProxy(value: string): boolean {
  if (/^\s*\d+\s*$/.test(value)) return true;
  return value.split(',').every((item) => {
    const v = item.trim();
    const [address, bits, extra] = v.split('/');
    if (RANGE_NAMES.includes(v)) return true;
    const family = isIP(address);
    if (!family || extra !== undefined) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
}

/**
 * The key a client's requests are counted under: its IPv4 address, or for IPv6 its /64 network (one
 * subscriber usually holds a whole /64, so counting single addresses would let it rotate freely).
 * IPv4-mapped IPv6 addresses count as the IPv4 address.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIPv6(ip: string): string[] {
  const [head, tail = ''] = ip.toLowerCase().split('%')[0].split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const h = groups(head);
  const t = ip.includes('::') ? groups(tail) : [];
  const full = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return full.map((g) => parseInt(g, 16).toString(16));
}
