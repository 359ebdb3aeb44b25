import { VERIFIED_TOKEN_TTL_MS, VerifiedTokens } from './verified-tokens.js';

const user = { sub: 'alice', email: null, name: null };
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
});
