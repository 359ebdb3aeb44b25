import { VERIFIED_TOKEN_TTL_MS, VerifiedTokens } from './verified-tokens.js';

const user = { sub: 'alice', email: null, name: null, exp: 2_000_000_000 };
const tokenWith = (payload: object) =>
  `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('VerifiedTokens', () => {
  let now: number;
  const clock = { now: () => now };
  beforeEach(() => (now = 1_800_000_000_000));

  it('remembers a verified token until exp + skew', () => {
    const tokens = new VerifiedTokens(30, clock);
    const token = tokenWith({ sub: 'alice', exp: now / 1000 + 60 });
    tokens.remember(token, user);
    expect(tokens.get(token)).toEqual(user);
    now += 89_000;
    expect(tokens.get(token)).toEqual(user);
    now += 2_000;
    expect(tokens.get(token)).toBeUndefined();
  });

  it('forgets a long-lived token after 5 minutes', () => {
    const tokens = new VerifiedTokens(0, clock);
    const token = tokenWith({ exp: now / 1000 + 86_400 });
    tokens.remember(token, user);
    now += VERIFIED_TOKEN_TTL_MS - 1_000;
    expect(tokens.get(token)).toEqual(user);
    now += 2_000;
    expect(tokens.get(token)).toBeUndefined();
  });

  it('never remembers a token that is already past exp + skew, or has no exp', () => {
    const tokens = new VerifiedTokens(10, clock);
    const late = tokenWith({ exp: now / 1000 - 11 });
    const noExp = tokenWith({ sub: 'alice' });
    tokens.remember(late, user);
    tokens.remember(noExp, user);
    tokens.remember('not-a-jwt', user);
    expect(tokens.get(late)).toBeUndefined();
    expect(tokens.get(noExp)).toBeUndefined();
    expect(tokens.get('not-a-jwt')).toBeUndefined();
  });

  it('matches whole tokens only', () => {
    const tokens = new VerifiedTokens(0, clock);
    const token = tokenWith({ exp: now / 1000 + 60 });
    tokens.remember(token, user);
    expect(tokens.get(`${token}x`)).toBeUndefined();
    expect(tokens.get(token.slice(0, -1))).toBeUndefined();
  });

  it('forgets the tokens of a JWKS key withdrawn from the key set, and only those', () => {
    const tokens = new VerifiedTokens(0, clock);
    const [hs, kept, withdrawn, kidless] = [1, 2, 3, 4].map((n) => tokenWith({ n, exp: now / 1000 + 60 }));
    tokens.remember(hs, user);
    tokens.remember(kept, { ...user, jwksKid: 'k2' });
    tokens.remember(withdrawn, { ...user, jwksKid: 'k1' });
    tokens.remember(kidless, { ...user, jwksKid: '' });
    tokens.forgetKeysOtherThan(new Set(['k2']));
    expect([hs, kept, withdrawn, kidless].map((t) => tokens.get(t) !== undefined)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('holds at most 16 MiB of tokens, however many', () => {
    const tokens = new VerifiedTokens(0, clock);
    const big = (n: number) => tokenWith({ n, pad: 'x'.repeat(8000), exp: now / 1000 + 60 });
    for (let n = 0; n < 3000; n++) tokens.remember(big(n), user);
    const kept = Array.from({ length: 3000 }, (_, n) => tokens.get(big(n))).filter(Boolean).length;
    expect(kept).toBeLessThan(3000);
    expect(kept * 10_700).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(tokens.get(big(2999))).toBeDefined();
  });
});
