import type { AuthUser } from './auth-user.js';
import { TokenTrust, type KeySource, type TrustLoss } from './token-trust.js';

/** A key store whose key set and staleness the test sets; `fetched()` is a successful fetch. */
function fakeKeys(kids: string[]) {
  const listeners = new Set<() => void>();
  const keys = {
    kids: new Set(kids) as ReadonlySet<string>,
    isStale: false,
    stale: () => keys.isStale,
    onChange: (listener: () => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    fetched(next: string[]) {
      keys.kids = new Set(next);
      for (const l of [...listeners]) l();
    },
    turnStale() {
      keys.isStale = true;
      for (const l of [...listeners]) l();
    },
    get listening() {
      return listeners.size;
    },
  };
  return keys satisfies KeySource;
}

const user = (jwksKid?: string): AuthUser => ({ sub: 'alice', email: null, name: null, exp: 2e9, jwksKid });

describe('TokenTrust', () => {
  const watch = (trust: TokenTrust, u: AuthUser) => {
    const lost: TrustLoss[] = [];
    const stop = trust.watch(u, (why) => lost.push(why));
    return { lost, stop };
  };

  it('keeps an HS256 token trusted whatever the JWKS does', () => {
    const keys = fakeKeys(['k1']);
    const { lost } = watch(new TokenTrust(keys), user());
    keys.fetched([]);
    keys.turnStale();
    expect(lost).toEqual([]);
    expect(keys.listening).toBe(0);
    expect(watch(new TokenTrust(null), user()).lost).toEqual([]);
  });

  it('loses a JWKS token once a fetch no longer holds its key, once', () => {
    const keys = fakeKeys(['k1', 'k2']);
    const { lost } = watch(new TokenTrust(keys), user('k1'));
    keys.fetched(['k1', 'k2', 'k3']);
    expect(lost).toEqual([]);
    keys.fetched(['k2']);
    keys.fetched([]);
    expect(lost).toEqual(['key-withdrawn']);
    expect(keys.listening).toBe(0);
  });

  it('loses a JWKS token when the keys turn stale', () => {
    const keys = fakeKeys(['k1']);
    const { lost } = watch(new TokenTrust(keys), user('k1'));
    keys.turnStale();
    expect(lost).toEqual(['keys-stale']);
  });

  it('says so at once when the key is already gone, or the keys stale', () => {
    const keys = fakeKeys(['k2']);
    expect(watch(new TokenTrust(keys), user('k1')).lost).toEqual(['key-withdrawn']);
    keys.isStale = true;
    expect(watch(new TokenTrust(keys), user('k2')).lost).toEqual(['keys-stale']);
    expect(keys.listening).toBe(0);
  });

  it('loses a token without kid at the next fetch (its key cannot be told apart), not before', () => {
    const keys = fakeKeys(['k1']);
    const { lost } = watch(new TokenTrust(keys), user(''));
    expect(lost).toEqual([]);
    keys.fetched(['k1']);
    expect(lost).toEqual(['key-withdrawn']);
  });

  it('stops watching when told', () => {
    const keys = fakeKeys(['k1']);
    const { lost, stop } = watch(new TokenTrust(keys), user('k1'));
    stop();
    keys.fetched([]);
    expect(lost).toEqual([]);
    expect(keys.listening).toBe(0);
  });
});
