import type { LookupAddress } from 'node:dns';
import { AddressRefusedError, checkUrl, guardedLookup, refusedRange } from './outbound-address.js';

/** What guardedLookup answers for `host` (resolved by the system resolver, so only names every machine has). */
function lookup(
  host: string,
  allowPrivate: boolean,
  all: boolean,
): Promise<{ err: Error | null; address?: string | LookupAddress[] }> {
  return new Promise((resolve) =>
    guardedLookup(allowPrivate)(host, { all }, (err, address) => resolve({ err, address })),
  );
}

describe('refusedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(refusedRange(address)).toBeUndefined();
  });

  it('refuses what is no address', () => {
    expect(refusedRange('localhost')).toBe('invalid');
  });
});

describe('checkUrl', () => {
  const refused = (url: string, allowPrivate = false) => {
    try {
      checkUrl(new URL(url), allowPrivate);
      return undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(AddressRefusedError);
      return (err as Error).message;
    }
  };

  it('wants https:, unless private addresses are allowed', () => {
    expect(refused('http://example.com/hook')).toMatch(/^address refused: http: is not allowed/);
    expect(refused('ftp://example.com/hook', true)).toMatch(/ftp: is not allowed/);
    expect(refused('http://example.com/hook', true)).toBeUndefined();
    expect(refused('https://example.com/hook')).toBeUndefined();
  });

  it('checks a literal address itself (no lookup happens for one)', () => {
    expect(refused('https://127.0.0.1:8443/')).toMatch(/127\.0\.0\.1 is loopback/);
    expect(refused('https://[::1]/')).toMatch(/::1 is loopback/);
    expect(refused('https://[fd00:ec2::254]/')).toMatch(/uniqueLocal/);
    expect(refused('https://169.254.169.254/latest/meta-data/')).toMatch(/linkLocal/);
    // The URL parser reads IPv4 in every form the network stack does (octal, hex, one number).
    expect(refused('https://0x7f.1/')).toMatch(/127\.0\.0\.1 is loopback/);
    expect(refused('https://012.0.0.1/')).toMatch(/10\.0\.0\.1 is private/);
    expect(refused('https://2130706433/')).toMatch(/127\.0\.0\.1 is loopback/);
    expect(refused('https://8.8.8.8/')).toBeUndefined();
    expect(refused('http://127.0.0.1:8080/', true)).toBeUndefined();
  });
});

describe('guardedLookup', () => {
  it('refuses a name that resolves to loopback, in both answer forms', async () => {
    for (const all of [false, true]) {
      const { err } = await lookup('localhost', false, all);
      expect(err).toBeInstanceOf(AddressRefusedError);
      expect(err?.message).toMatch(
        /^address refused: localhost resolves to (127\.0\.0\.1|::1) \(loopback\)$/,
      );
    }
  });

  it('resolves it when private addresses are allowed, in the form asked', async () => {
    const one = await lookup('localhost', true, false);
    expect(one.err).toBeNull();
    expect(typeof one.address).toBe('string');
    const all = await lookup('localhost', true, true);
    expect(all.err).toBeNull();
    expect(Array.isArray(all.address)).toBe(true);
  });

  it('passes a literal address through the same rule', async () => {
    expect((await lookup('127.0.0.1', false, false)).err).toBeInstanceOf(AddressRefusedError);
    expect((await lookup('10.0.0.1', false, true)).err).toBeInstanceOf(AddressRefusedError);
  });
});
