// Who the client is, under the API's TRUST_PROXY rules (src/http/client-address.ts, which hands them
// to Express's `trust proxy`): the web app cannot import the API's code, so the rules are repeated
// here, as small as they go. Unset: the socket's address, and X-Forwarded-For is ignored (a client
// could write anything there). A hop count: that many proxies in front, each appending the address it
// saw. A list of addresses, CIDRs and Express's range names: the proxies at those addresses.
import { BlockList, isIP } from 'node:net';

/** Express's range names (proxy-addr's), allowed in TRUST_PROXY next to addresses and CIDRs. */
const RANGES = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** An IPv4-mapped IPv6 address as the IPv4 address it is; anything else as it is. */
const unmapped = (address) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

/**
 * TRUST_PROXY as a function `(address, hop) => trusted`, hop 0 being the socket's peer; throws on a
 * value the API would refuse too. Unset or empty: nothing is trusted.
 */
export function trustProxy(value) {
  const setting = value?.trim();
  if (!setting) return () => false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  const list = new BlockList();
  for (const item of setting.split(',').map((v) => v.trim())) {
    for (const entry of RANGES[item] ?? [item]) {
      const [address, bits, extra] = entry.split('/');
      const family = isIP(address);
      const max = family === 4 ? 32 : 128;
      if (
        !family ||
        extra !== undefined ||
        (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))
      )
        throw new Error(
          `TRUST_PROXY must be a hop count (1) or a comma-separated list of proxy addresses, CIDRs, loopback, linklocal or uniquelocal (got ${JSON.stringify(value)})`,
        );
      list.addSubnet(address, bits === undefined ? max : Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    }
  }
  return (address) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The client's address: from the socket's peer outwards through X-Forwarded-For (right to left), the
 * first address not trusted, or the farthest one when all are (Express's `req.ip`). A malformed
 * entry ends the walk: the address before it, whom we trusted, is the client.
 */
export function clientAddress(socketAddress, forwardedFor, trusted) {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const hops = [
    unmapped(socketAddress ?? ''),
    ...header
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .reverse(),
  ];
  let client = hops[0];
  for (let hop = 0; hop < hops.length - 1 && trusted(client, hop); hop++) {
    const next = unmapped(hops[hop + 1]);
    if (!isIP(next)) break;
    client = next;
  }
  return client;
}
