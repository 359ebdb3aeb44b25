import { EnvValidationError, validateEnv } from './env.js';

const problemsOf = (raw: Record<string, string>): string[] => {
  try {
    validateEnv(raw);
  } catch (err) {
    if (err instanceof EnvValidationError) return err.problems;
    throw err;
  }
  return [];
};

const SECRET = 'x'.repeat(32);

describe('validateEnv', () => {
  it('applies the contract defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 8000,
      DB_POOL_MAX: 10,
      DB_MIGRATE_ON_START: true,
      JWT_CLOCK_SKEW_S: 30,
      CORS_ORIGINS: 'http://localhost:3000',
      WEB_CONCURRENCY: 1,
      LOG_LEVEL: 'info',
    });
  });

  it('parses numbers and booleans from strings', () => {
    const env = validateEnv({
      PORT: '9000',
      DB_POOL_MAX: '25',
      DB_MIGRATE_ON_START: 'false',
      HEAP_GROWTH_PERCENT: '0',
    });
    expect(env).toMatchObject({
      PORT: 9000,
      DB_POOL_MAX: 25,
      DB_MIGRATE_ON_START: false,
      HEAP_GROWTH_PERCENT: 0,
    });
  });

  it('names each offending variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DB_POOL_MAX: '0',
      DATABASE_URL: 'mysql://x',
      CORS_ORIGINS: 'localhost:3000',
      JWT_CLOCK_SKEW_S: '300',
      LOG_LEVEL: 'loud',
      HEAP_GROWTH_PERCENT: '500',
    });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'CORS_ORIGINS',
      'DATABASE_URL',
      'DB_POOL_MAX',
      'HEAP_GROWTH_PERCENT',
      'JWT_CLOCK_SKEW_S',
      'LOG_LEVEL',
      'PORT',
    ]);
  });

  it('accepts NEON_DATABASE_URL with sslmode', () => {
    expect(problemsOf({ NEON_DATABASE_URL: 'postgresql://u:p@ep-x.neon.tech/db?sslmode=require' })).toEqual(
      [],
    );
  });

  describe('in production', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/tasks' };

    it('refuses to start without a trust source', () => {
      expect(problemsOf(prod).join()).toMatch(/BETTER_AUTH_SECRET or BETTER_AUTH_URL/);
    });

    it('refuses a secret shorter than 32 bytes, without echoing it', () => {
      const problems = problemsOf({ ...prod, BETTER_AUTH_SECRET: 'short-secret' });
      expect(problems.join()).toMatch(/BETTER_AUTH_SECRET must be at least 32 bytes/);
      expect(problems.join()).not.toContain('short-secret');
    });

    it('refuses to start without DATABASE_URL', () => {
      expect(problemsOf({ NODE_ENV: 'production', BETTER_AUTH_SECRET: SECRET }).join()).toMatch(
        /DATABASE_URL is required in production/,
      );
    });

    it('starts with a 32-byte secret, or with JWKS alone', () => {
      expect(problemsOf({ ...prod, BETTER_AUTH_SECRET: SECRET })).toEqual([]);
      expect(problemsOf({ ...prod, BETTER_AUTH_URL: 'https://app.example.com' })).toEqual([]);
    });

    it('refuses JWT_JWKS_URL without an issuer and an audience (any token of those keys would pass)', () => {
      const jwks = { ...prod, JWT_JWKS_URL: 'https://auth.example.com/api/auth/jwks' };
      expect(problemsOf(jwks).join()).toMatch(/JWT_ISSUER and JWT_AUDIENCE are required in production/);
      expect(problemsOf({ ...jwks, JWT_ISSUER: 'https://auth.example.com' }).join()).toMatch(/JWT_AUDIENCE/);
      expect(
        problemsOf({
          ...jwks,
          JWT_ISSUER: 'https://auth.example.com',
          JWT_AUDIENCE: 'https://auth.example.com',
        }),
      ).toEqual([]);
      // BETTER_AUTH_URL gives both (its origin).
      expect(problemsOf({ ...jwks, BETTER_AUTH_URL: 'https://auth.example.com' })).toEqual([]);
    });

    it('refuses a JWKS over plain http:, loopback addresses excepted', () => {
      expect(problemsOf({ ...prod, BETTER_AUTH_URL: 'http://auth.example.com' }).join()).toMatch(
        /JWKS must be fetched over https: in production \(got http:\/\/auth.example.com/,
      );
      for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000']) {
        expect(problemsOf({ ...prod, BETTER_AUTH_URL: `http://${host}` })).toEqual([]);
      }
    });
  });

  it('takes the VAPID variables all three or none, and never echoes the private key', () => {
    const vapid = {
      VAPID_PUBLIC_KEY: `B${'A'.repeat(86)}`,
      VAPID_PRIVATE_KEY: 'k'.repeat(43),
      VAPID_SUBJECT: 'mailto:ops@example.com',
    };
    expect(problemsOf(vapid)).toEqual([]);
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ VAPID_PUBLIC_KEY: vapid.VAPID_PUBLIC_KEY }).join()).toMatch(/go together/);
    const bad = problemsOf({
      ...vapid,
      VAPID_PRIVATE_KEY: 'secret-but-short',
      VAPID_SUBJECT: 'ops@example.com',
    });
    expect(bad.join()).toMatch(/VAPID_PRIVATE_KEY .*\(value hidden\)/);
    expect(bad.join()).toMatch(/VAPID_SUBJECT must be a mailto: or https: URL/);
    expect(bad.join()).not.toContain('secret-but-short');
  });

  it('reads NOTIFY_ALLOW_PRIVATE as a boolean, false by default', () => {
    expect(validateEnv({}).NOTIFY_ALLOW_PRIVATE).toBe(false);
    expect(validateEnv({ NOTIFY_ALLOW_PRIVATE: 'true' }).NOTIFY_ALLOW_PRIVATE).toBe(true);
    expect(problemsOf({ NOTIFY_ALLOW_PRIVATE: 'maybe' }).join()).toMatch(/NOTIFY_ALLOW_PRIVATE/);
  });

  it('refuses HTTP_HEADERS_TIMEOUT_MS above HTTP_REQUEST_TIMEOUT_MS, in every environment', () => {
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }).join()).toMatch(
      /HTTP_HEADERS_TIMEOUT_MS must not be more than HTTP_REQUEST_TIMEOUT_MS/,
    );
  });
});
