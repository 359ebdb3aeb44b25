import { spawnSync } from 'node:child_process';

/** Runs the real entry point with `env`; configuration errors stop it before the app loads. */
function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stderr: result.stderr.trim() };
}

const SECRET = 'a-production-secret-of-at-least-32-bytes!';

describe('start-up configuration checks', () => {
  it('refuses a bad value, naming each offending variable on one line', () => {
    const { code, stderr } = start({ PORT: 'eighty', DB_POOL_MAX: '0', CORS_ORIGINS: 'not an origin' });
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Invalid configuration: /);
    for (const name of ['PORT', 'DB_POOL_MAX', 'CORS_ORIGINS']) expect(stderr).toContain(name);
  });

  it('refuses a DATABASE_URL that is not a PostgreSQL URL', () => {
    const { code, stderr } = start({ DATABASE_URL: 'mysql://localhost/tasks' });
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
  });

  it('in production, refuses a short secret without printing it', () => {
    const { code, stderr } = start({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://127.0.0.1:1/none',
      BETTER_AUTH_SECRET: 'too-short',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('BETTER_AUTH_SECRET must be at least 32 bytes');
    expect(stderr).not.toContain('too-short');
  });

  it('in production, refuses to start without a database or a trust source (no embedded fallback)', () => {
    const { code, stderr } = start({ NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL is required in production');
    expect(stderr).toContain('BETTER_AUTH_SECRET or BETTER_AUTH_URL');
    expect(start({ NODE_ENV: 'production', BETTER_AUTH_SECRET: SECRET }).stderr).toContain(
      'DATABASE_URL is required in production',
    );
  });
});
