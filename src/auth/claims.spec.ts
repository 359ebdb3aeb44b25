import { userFromClaims } from './claims.js';

const NOW = 1_800_000_000_000;
const now = NOW / 1000;

describe('userFromClaims', () => {
  it('returns the caller with email and name, null when absent', () => {
    expect(userFromClaims({ sub: 'u1', exp: now + 60, email: 'a@b.c', name: 'A' }, 30, NOW)).toEqual({
      sub: 'u1',
      email: 'a@b.c',
      name: 'A',
      exp: now + 60,
    });
    expect(userFromClaims({ sub: 'u1', exp: now + 60, email: 7 }, 30, NOW)).toEqual({
      sub: 'u1',
      email: null,
      name: null,
      exp: now + 60,
    });
  });

  it.each([
    ['no exp', { sub: 'u' }],
    ['a string exp', { sub: 'u', exp: String(now + 60) }],
    ['no sub', { exp: now + 60 }],
    ['an empty sub', { sub: '', exp: now + 60 }],
    ['a blank sub', { sub: ' \t', exp: now + 60 }],
    ['a sub longer than 255', { sub: 'u'.repeat(256), exp: now + 60 }],
    ['an iat beyond the skew', { sub: 'u', exp: now + 600, iat: now + 31 }],
    ['a non-numeric iat', { sub: 'u', exp: now + 600, iat: 'yesterday' }],
  ])('rejects %s', (_, claims) => {
    expect(userFromClaims(claims, 30, NOW)).toBeNull();
  });

  it('tolerates an iat within the skew', () => {
    expect(userFromClaims({ sub: 'u', exp: now + 600, iat: now + 29 }, 30, NOW)?.sub).toBe('u');
  });
});
