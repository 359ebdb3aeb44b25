import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The address rule of every outbound delivery (webhooks, Web Push; contract: "Reminders and
 * notifications"), in this one module: `https:` to public addresses only, checked when the
 * connection is made (the DNS answer the socket connects to, not an earlier one), no redirects
 * followed (OutboundHttp). A public address is what ipaddr.js's `range()` calls `unicast`: loopback,
 * private (RFC 1918), link-local (169.254.169.254, the cloud metadata service, among them),
 * carrier-grade NAT, unique-local (fd00:ec2::254 among them), unspecified, multicast, broadcast,
 * reserved and the IPv6 transition ranges (NAT64, 6to4, Teredo, which can embed a private IPv4)
 * are all refused; an IPv4-mapped IPv6 address is judged as its IPv4 address.
 * NOTIFY_ALLOW_PRIVATE=true (development, tests) allows every address and `http:`.
 */

/** A delivery refused before any packet was sent: the URL's scheme, or the address its host resolves to. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  constructor(readonly reason: string) {
    super(`address refused: ${reason}`);
    this.name = 'AddressRefusedError';
  }
}

/** The ipaddr.js range of `address` when it is not a public unicast address (why it is refused); undefined when it is public. */
export function refusedRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/** The URL's host as an IP address when it is one (`[::1]` → `::1`), else undefined (a name, resolved at connect time). */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : undefined;
}

/**
 * Throws AddressRefusedError unless `url` may be connected to as far as the URL itself tells: its
 * scheme (`https:`; `http:` too when private addresses are allowed) and, when its host is an IP
 * address (no DNS lookup happens for one), that address. A host name is checked by guardedLookup.
 */
export function checkUrl(url: URL, allowPrivate: boolean): void {
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new AddressRefusedError(`${url.protocol} is not allowed (https: only)`);
  }
  const literal = literalAddress(url);
  const range = literal && !allowPrivate ? refusedRange(literal) : undefined;
  if (range) throw new AddressRefusedError(`${literal} is ${range}, not a public address`);
}

/**
 * A `lookup` for sockets (net.connect, undici's `connect.lookup`): resolves like dns.lookup, and
 * fails with AddressRefusedError when any address the name resolves to is not public (so a name with
 * a public and a private address is refused whole), unless private addresses are allowed. Answers
 * in the form asked (`all` or one address).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '');
      const refused = allowPrivate
        ? undefined
        : addresses.map((a) => ({ ...a, range: refusedRange(a.address) })).find((a) => a.range);
      if (refused) {
        return callback(
          new AddressRefusedError(`${hostname} resolves to ${refused.address} (${refused.range})`),
          '',
        );
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first.address, first.family);
    });
  };
}
