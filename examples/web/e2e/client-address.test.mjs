// TRUST_PROXY's rules as the web app applies them (server/client-address.mjs), the API's own:
// no forwarded address counts unless a trusted proxy wrote it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddress, trustProxy } from '../server/client-address.mjs';

describe('the client address under TRUST_PROXY', () => {
  it('unset (or empty): the socket’s peer, whatever X-Forwarded-For says', () => {
    for (const setting of [undefined, '', ' ']) {
      const trusted = trustProxy(setting);
      assert.equal(clientAddress('198.51.100.7', '203.0.113.1', trusted), '198.51.100.7');
      assert.equal(clientAddress('::ffff:198.51.100.7', '1.2.3.4, 5.6.7.8', trusted), '198.51.100.7');
      assert.equal(clientAddress('2001:db8::1', undefined, trusted), '2001:db8::1');
    }
  });

  it('a hop count: that many proxies, each appending the address it saw; what the client wrote is ignored', () => {
    const one = trustProxy('1');
    // The client wrote "6.6.6.6", the proxy appended the client's real address.
    assert.equal(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.9', one), '203.0.113.9');
    assert.equal(clientAddress('10.0.0.2', '203.0.113.9', one), '203.0.113.9');
    // Straight to the app, past the proxy: nothing forwarded is believed beyond one hop.
    assert.equal(clientAddress('10.0.0.2', undefined, one), '10.0.0.2');
    assert.equal(clientAddress('10.0.0.3', '6.6.6.6, 7.7.7.7, 203.0.113.9', trustProxy('2')), '7.7.7.7');
  });

  it('addresses, CIDRs and range names: the proxies at those addresses', () => {
    const trusted = trustProxy('10.0.0.0/8, loopback, 2001:db8::/32');
    assert.equal(clientAddress('127.0.0.1', '6.6.6.6, 203.0.113.9', trusted), '203.0.113.9');
    assert.equal(clientAddress('::ffff:127.0.0.1', '203.0.113.9, 10.1.2.3', trusted), '203.0.113.9');
    assert.equal(clientAddress('2001:db8::5', '203.0.113.9', trusted), '203.0.113.9');
    // A peer that is no trusted proxy is the client, whatever it forwards.
    assert.equal(clientAddress('198.51.100.7', '203.0.113.9', trusted), '198.51.100.7');
    // Every hop trusted: the farthest address.
    assert.equal(clientAddress('127.0.0.1', '10.0.0.1', trusted), '10.0.0.1');
    // A malformed entry where a trusted proxy should have written an address: the proxy is the client.
    assert.equal(clientAddress('127.0.0.1', 'nonsense', trusted), '127.0.0.1');
    const mapped = trustProxy('uniquelocal');
    assert.equal(clientAddress('::ffff:192.168.1.1', '203.0.113.9', mapped), '203.0.113.9');
  });

  it('refuses the values the API refuses', () => {
    for (const bad of ['1.2.3', '10.0.0.0/33', 'everywhere', '10.0.0.0/8/1', '-1'])
      assert.throws(() => trustProxy(bad), /TRUST_PROXY must be/);
  });
});
