import { authSettings } from './auth-settings.js';

const none = {
  BETTER_AUTH_SECRET: undefined,
  BETTER_AUTH_URL: undefined,
  JWT_JWKS_URL: undefined,
  JWT_ISSUER: undefined,
  JWT_AUDIENCE: undefined,
  JWT_CLOCK_SKEW_S: 30,
  JWT_JWKS_REFRESH_S: 120,
  JWT_JWKS_MAX_STALE_S: 3600,
};

describe('authSettings', () => {
  it('shared secret only: no JWKS, iss/aud unchecked unless configured', () => {
    expect(authSettings({ ...none, BETTER_AUTH_SECRET: 's' })).toEqual({
      secret: 's',
      jwksUrl: undefined,
      issuer: undefined,
      audience: undefined,
      skewSeconds: 30,
      jwksRefreshMs: 120_000,
      jwksMaxStaleMs: 3_600_000,
    });
    expect(authSettings({ ...none, JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' })).toMatchObject({
      issuer: 'i',
      audience: 'a',
    });
  });

  it('JWKS mode: keys under /api/auth/jwks, iss and aud default to the origin', () => {
    const s = authSettings({ ...none, BETTER_AUTH_URL: 'https://app.example.com/' });
    expect(s.jwksUrl?.href).toBe('https://app.example.com/api/auth/jwks');
    expect(s).toMatchObject({ issuer: 'https://app.example.com', audience: 'https://app.example.com' });
    const sub = authSettings({ ...none, BETTER_AUTH_URL: 'https://example.com/auth-app' });
    expect(sub.jwksUrl?.href).toBe('https://example.com/auth-app/api/auth/jwks');
    expect(sub.issuer).toBe('https://example.com');
  });

  it('JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE override', () => {
    const s = authSettings({
      ...none,
      BETTER_AUTH_URL: 'https://app.example.com',
      JWT_JWKS_URL: 'https://keys.example.com/jwks.json',
      JWT_ISSUER: 'https://issuer.example.com',
      JWT_AUDIENCE: 'tasks-api',
    });
    expect(s).toMatchObject({ issuer: 'https://issuer.example.com', audience: 'tasks-api' });
    expect(s.jwksUrl?.href).toBe('https://keys.example.com/jwks.json');
  });
});
