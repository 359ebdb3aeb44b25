// The demo's two servers over HTTP, no browser: where they listen, whom the API trusts, the web app's
// headers, and Better Auth's sign-in limit counted per client address under TRUST_PROXY's rules.
// On the database in TEST_DATABASE_URL, else an embedded one in a scratch folder of its own.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, startStack } from '../scripts/stack.mjs';

/** An HS256 token for `sub` signed with `secret` (as `npm run token` makes them). */
function hs256(secret, claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iat: now, exp: now + 600, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host, port) =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** A failed sign-in (no such account) through the web app, with `forwardedFor` as X-Forwarded-For. */
const signIn = (stack, forwardedFor) =>
  fetch(`${stack.webOrigin}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: stack.webOrigin,
      ...(forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {}),
    },
    body: JSON.stringify({ email: `nobody-${Date.now()}@example.com`, password: 'not the password' }),
  }).then((r) => r.status);

const port = (url) => Number(new URL(url).port);

describe('the demo’s servers', () => {
  // The API's working folder: its `.env` holds a shared secret the demo's API must not pick up.
  let apiDir;
  const secret = 'a shared secret from the API’s .env, 32+ characters long';
  const stacks = [];
  const start = async (options = {}) => {
    const stack = await startStack({
      apiPort: await freePort(),
      webPort: await freePort(),
      databaseUrl: process.env.TEST_DATABASE_URL,
      apiEnv: { LOG_LEVEL: 'warn' },
      apiDir,
      ...options,
    });
    stacks.push(stack);
    return stack;
  };
  let stack;

  before(async () => {
    apiDir = await mkdtemp(join(tmpdir(), 'tasks-web-api-'));
    await chmod(apiDir, 0o755); // as root, the embedded PostgreSQL's `postgres` user keeps its data here
    await writeFile(join(apiDir, '.env'), `BETTER_AUTH_SECRET=${secret}\n`);
    stack = await start();
  });

  after(async () => {
    for (const s of stacks.reverse()) await s.stop();
    if (apiDir) await rm(apiDir, { recursive: true, force: true });
  });

  it('both listen on the loopback address only (HOST unset)', async () => {
    for (const url of [stack.apiUrl, stack.webOrigin]) {
      assert.equal(await accepts('127.0.0.1', port(url)), true, url);
      // Another address of this machine (in 127.0.0.0/8, so the test sends nothing elsewhere):
      // a server on every interface would answer there too.
      assert.equal(await accepts('127.0.0.2', port(url)), false, url);
    }
  });

  it('the API trusts Better Auth’s keys, never a shared secret from its .env', async () => {
    const signUp = await fetch(`${stack.webOrigin}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: stack.webOrigin },
      body: JSON.stringify({
        email: `demo-${Date.now()}@example.com`,
        password: 'correct horse battery',
        name: 'D',
      }),
    });
    assert.equal(signUp.status, 200);
    const cookie = signUp.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { token } = await (
      await fetch(`${stack.webOrigin}/api/auth/token`, { headers: { cookie } })
    ).json();
    const me = (bearer) =>
      fetch(`${stack.apiUrl}/api/me`, { headers: { Authorization: `Bearer ${bearer}` } });
    // The API fetched the JWKS when it started, before the web app was up: the first request with
    // this token still verifies (an unknown kid waits for a fresh fetch).
    assert.equal((await me(token)).status, 200);
    // Signed with the .env's secret, with the claims a Better Auth token of this app has.
    const forged = hs256(secret, { sub: 'mallory', iss: stack.webOrigin, aud: stack.webOrigin });
    assert.equal((await me(forged)).status, 401);
  });

  it('the web app’s pages cannot be framed, and carry the usual security headers', async () => {
    for (const path of ['/', '/api/auth/jwks']) {
      const response = await fetch(`${stack.webOrigin}${path}`);
      assert.equal(response.status, 200, path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /(^|; )frame-ancestors 'none'(;|$)/, path);
      assert.match(csp, /(^|; )object-src 'none'(;|$)/, path);
      assert.match(csp, new RegExp(`(^|; )connect-src 'self' ${new URL(stack.apiUrl).origin}(;|$)`), path);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', path);
    }
  });

  it('counts sign-ins per socket address when TRUST_PROXY is unset: a forged X-Forwarded-For changes nothing', async () => {
    const statuses = [];
    for (const forged of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', undefined])
      statuses.push(await signIn(stack, forged));
    // 3 per 10 s per address (Better Auth's default in production), all from 127.0.0.1.
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });

  it('with a trusted proxy, counts per client address it forwards, whatever the client wrote before it', async () => {
    // This test is the proxy (on loopback), appending each client's address.
    const proxied = await start({ webEnv: { TRUST_PROXY: 'loopback' } });
    const first = [];
    for (const forged of ['6.6.6.1', '6.6.6.2', '6.6.6.3', '6.6.6.4'])
      first.push(await signIn(proxied, `${forged}, 203.0.113.7`));
    assert.deepEqual(first, [401, 401, 401, 429]);
    // Another client behind the same proxy has a count of its own (with or without a header of its own).
    assert.equal(await signIn(proxied, '6.6.6.5, 203.0.113.8'), 401);
    assert.equal(await signIn(proxied, '203.0.113.9'), 401);
  });
});
