import { clientKey, trustProxySetting, validTrustProxy } from './client-address.js';

describe('clientKey', () => {
  it('keys IPv4 clients by address, IPv6 clients by their /64', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });
});

describe('TRUST_PROXY', () => {
  it('is a hop count or a list of addresses, CIDRs and range names', () => {
    expect(trustProxySetting(undefined)).toBe(false);
    expect(trustProxySetting('1')).toBe(1);
    expect(trustProxySetting('10.0.0.0/8, loopback')).toEqual(['10.0.0.0/8', 'loopback']);
    for (const ok of ['0', '2', '10.0.0.0/8', '10.0.0.1', 'loopback,uniquelocal', 'fd00::/8, 192.168.1.1'])
      expect(validTrustProxy(ok)).toBe(true);
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0/8', 'proxy.example.com', '1,2', 'fd00::/129'])
      expect(validTrustProxy(bad)).toBe(false);
  });
});
