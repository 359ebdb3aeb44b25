import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { devAuthSecret } from '../src/development/dev-environment.js';

/** `npm run token` (scripts/token.ts), as a developer runs it: which secret signs. */
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });

const signedWith = (token: string, secret: string) => {
  const [header, payload, signature] = token.trim().split('.');
  return createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url') === signature;
};

const CONFIGURED = 'a-configured-secret-that-is-at-least-32-bytes';

it('signs with the development secret, even when BETTER_AUTH_SECRET is set, and says so', async () => {
  const { stdout, stderr } = await run(['--sub', 'alice'], { BETTER_AUTH_SECRET: CONFIGURED });
  expect(signedWith(stdout, devAuthSecret())).toBe(true);
  expect(signedWith(stdout, CONFIGURED)).toBe(false);
  expect(stderr).toMatch(/--with-configured-secret/);
}, 30_000);

it('signs with BETTER_AUTH_SECRET only when told so by --with-configured-secret', async () => {
  const { stdout } = await run(['--sub', 'alice', '--with-configured-secret'], {
    BETTER_AUTH_SECRET: CONFIGURED,
  });
  expect(signedWith(stdout, CONFIGURED)).toBe(true);
  await expect(run(['--sub', 'alice', '--with-configured-secret'], {})).rejects.toThrow(
    /BETTER_AUTH_SECRET is not set/,
  );
}, 30_000);

it('refuses to run with NODE_ENV=production', async () => {
  await expect(
    run(['--sub', 'alice'], { NODE_ENV: 'production', BETTER_AUTH_SECRET: CONFIGURED }),
  ).rejects.toThrow(/refusing to mint tokens/);
}, 30_000);
