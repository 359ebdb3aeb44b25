import { createHmac, randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp, useTestApp, expectProblem } from './helpers/app.js';
import { AuthServer, createBetterAuth, freePort, type BetterAuthAlg } from './helpers/auth-server.js';
import { TEST_SECRET } from './setup-env.js';
import { newUser, seconds, signToken, tokenFor } from './helpers/tokens.js';

// JwksKeyStore: fetches for unknown kids start at most once per second; a fetch gives up after 3 s.
const REFETCH_INTERVAL_MS = 1000;
const FETCH_TIMEOUT_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const headerOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { alg: string; kid: string };

let auth: AuthServer;
beforeAll(async () => {
  auth = await AuthServer.start('EdDSA');
});
afterAll(() => auth.close());
// JWKS mode (iss/aud default to the auth server's origin); HS256 with the shared secret stays on, side by side.
const t = useTestApp(() => ({ BETTER_AUTH_URL: auth.origin }));

const api = () => request(t.app.getHttpServer());
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const me = (token: string) => api().get('/api/me').set(bearer(token));

function expectInvalid(res: request.Response) {
  expectProblem(res, 401);
  expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  expect(res.body.detail).toBe('The access token is invalid');
}

describe('tokens from a real Better Auth server', () => {
  it.each<BetterAuthAlg>(['EdDSA', 'ES256', 'RS256'])(
    '%s: sign up, get a token, use the API',
    async (alg) => {
      auth.current = createBetterAuth(auth.origin, alg); // its key is an unknown kid to the API
      const { user, jwt } = await auth.signUp();
      const token = await jwt();
      const header = headerOf(token);
      expect(header).toMatchObject({ alg });

      expect((await me(token)).body).toEqual({ id: user.id, email: user.email, name: 'Ada Lovelace' });
      const created = await api()
        .post('/api/tasks')
        .set(bearer(token))
        .send({ title: `from ${alg}` });
      expect(created.status).toBe(201);
      expect(created.body.user_id).toBe(user.id);
      const list = await api().get(`/api/${user.id}/tasks`).set(bearer(token));
      expect(list.body.map((t: { title: string }) => t.title)).toEqual([`from ${alg}`]);
    },
  );

  it('accepts a token from a rotated key without a restart', async () => {
    auth.current = createBetterAuth(auth.origin, 'EdDSA', { rotationInterval: 1 });
    const { cookie } = await auth.signUp();
    const first = await auth.tokenFor(cookie);
    expect((await me(first)).status).toBe(200);
    await sleep(1100); // past rotationInterval: Better Auth makes a new key
    const second = await auth.tokenFor(cookie);
    expect(headerOf(second).kid).not.toBe(headerOf(first).kid);
    expect((await me(second)).status).toBe(200);
    expect((await me(first)).status).toBe(200); // the old key stays during the grace period
  });

  it('rejects a token from an unrelated Better Auth instance', async () => {
    const stranger = await AuthServer.start('EdDSA');
    try {
      // Same origin as ours, so iss/aud match: only the key differs.
      const impostor = createBetterAuth(auth.origin, 'EdDSA');
      const { cookie } = await stranger.signUp(impostor);
      const token = await stranger.tokenFor(cookie, impostor);
      expectInvalid(await me(token));
    } finally {
      await stranger.close();
    }
  });

  it('rejects the Better Auth session token (bearer plugin), which is not a JWT', async () => {
    const { sessionToken } = await auth.signUp();
    expect(sessionToken).toBeTruthy();
    expectInvalid(await me(sessionToken));
  });

  it('accepts HS256 tokens from Better Auth with a custom jwt.sign and the shared secret, alongside', async () => {
    const hsAuth = createBetterAuth(auth.origin, 'EdDSA', { hs256Secret: TEST_SECRET });
    const { user, cookie } = await auth.signUp(hsAuth);
    const token = await auth.tokenFor(cookie, hsAuth);
    expect(headerOf(token).alg).toBe('HS256');
    expect((await me(token)).body).toEqual({ id: user.id, email: user.email, name: 'Ada Lovelace' });
  });

  it('checks iss/aud on HS256 tokens too', async () => {
    const claims = { sub: 'hs-user', iss: auth.origin, aud: auth.origin, exp: seconds() + 900 };
    expect((await me(signToken(claims))).body.id).toBe('hs-user');
    // iss/aud are checked on every token, whichever source verified it.
    expectInvalid(await me(signToken({ ...claims, iss: 'https://evil.example' })));
    expectInvalid(await me(signToken({ sub: 'hs-user', exp: seconds() + 900 })));
  });
});

describe('hostile tokens against the JWKS', () => {
  const valid = () => ({
    sub: 'victim',
    iss: auth.origin,
    aud: auth.origin,
    iat: seconds(),
    exp: seconds() + 900,
  });

  it('accepts the test key when everything is right (so the rejections below mean something)', async () => {
    expect((await me(await auth.signWithTestKey(valid()))).body.id).toBe('victim');
  });

  it.each([
    ['wrong iss', { iss: 'https://other.example' }],
    ['wrong aud', { aud: 'https://other.example' }],
    ['expired beyond the skew', { exp: seconds() - 120, iat: seconds() - 1000 }],
    ['nbf in the future', { nbf: seconds() + 600 }],
    ['iat in the future', { iat: seconds() + 600 }],
    ['no sub', { sub: undefined }],
    ['an empty sub', { sub: '' }],
    ['no exp', { exp: undefined }],
  ])('rejects %s', async (name, override) => {
    const res = await me(await auth.signWithTestKey({ ...valid(), ...override }));
    expectProblem(res, 401);
    expect(res.body.detail).toBe(
      name.startsWith('expired') ? 'The access token expired' : 'The access token is invalid',
    );
  });

  it.each([
    ['absent', {}, 200],
    ['JWT', { typ: 'JWT' }, 200],
    ['at+jwt', { typ: 'at+jwt' }, 200],
    ["Better Auth's session cache", { typ: 'better-auth.session-cache+jwt' }, 401],
    ['dpop+jwt', { typ: 'dpop+jwt' }, 401],
    ['a number', { typ: 1 }, 401],
  ])('takes a typ header that is %s as %i', async (_name, header, status) => {
    const res = await me(await auth.signWithTestKey(valid(), header));
    expect(res.status).toBe(status);
    if (status === 401) expect(res.body.detail).toBe('The access token is invalid');
  });

  it('rejects a session-cache token even with the right issuer and audience', async () => {
    const token = await auth.signWithTestKey(
      { ...valid(), aud: 'better-auth:session-cache' },
      { typ: 'better-auth.session-cache+jwt' },
    );
    expectInvalid(await me(token));
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await auth.signWithTestKey(valid())).split('.');
    const forged = Buffer.from(JSON.stringify({ ...valid(), sub: 'mallory' })).toString('base64url');
    expectInvalid(await me(`${h}.${forged}.${s}`));
  });

  it('rejects alg none with a known kid', async () => {
    const h = Buffer.from(JSON.stringify({ alg: 'none', kid: 'test-key' })).toString('base64url');
    const p = Buffer.from(JSON.stringify(valid())).toString('base64url');
    expectInvalid(await me(`${h}.${p}.`));
  });

  it('rejects HS256 signed with the JWKS public key bytes (algorithm confusion)', async () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'test-key' })).toString('base64url');
    const p = Buffer.from(JSON.stringify(valid())).toString('base64url');
    const sig = createHmac('sha256', auth.testPublicKeyBytes).update(`${h}.${p}`).digest('base64url');
    expectInvalid(await me(`${h}.${p}.${sig}`));
  });

  it('never reads a token from ?token= or ?access_token=', async () => {
    const token = await auth.signWithTestKey(valid());
    for (const param of ['token', 'access_token']) {
      const res = await api().get(`/api/me?${param}=${token}`);
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tasks-api"');
    }
  });
});

describe('a key the service has not seen yet', () => {
  afterEach(() => {
    auth.silent = false;
  });
  const claims = () => ({ sub: 'x', iss: auth.origin, aud: auth.origin, exp: seconds() + 900 });
  const randomKid = () => auth.signWithTestKey(claims(), { kid: `random-${randomUUID()}` });

  it('verifies on its first request, also moments after the last fetch of the JWKS', async () => {
    const before = auth.jwksRequests;
    expectInvalid(await me(await randomKid())); // refused after a fetch of its own
    expect(auth.jwksRequests).toBe(before + 1);
    auth.current = createBetterAuth(auth.origin, 'EdDSA'); // a key made after that fetch
    const { user, jwt } = await auth.signUp();
    const res = await me(await jwt());
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(user.id);
    expect(auth.jwksRequests).toBe(before + 2);
  });

  it('makes concurrent requests with the new key share one fetch', async () => {
    auth.current = createBetterAuth(auth.origin, 'ES256');
    const { jwt } = await auth.signUp();
    const token = await jwt();
    const before = auth.jwksRequests;
    const results = await Promise.all(Array.from({ length: 20 }, () => me(token)));
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(auth.jwksRequests - before).toBe(1);
  });

  it('fetches at most once a second under a flood of random kids, and refuses a kid found unknown at once', async () => {
    const started = Date.now();
    const before = auth.jwksRequests;
    for (let wave = 0; wave < 3; wave++) {
      const results = await Promise.all(Array.from({ length: 20 }, async () => me(await randomKid())));
      for (const res of results) expectInvalid(res);
    }
    const elapsed = Date.now() - started;
    expect(auth.jwksRequests - before).toBeLessThanOrEqual(Math.floor(elapsed / REFETCH_INTERVAL_MS) + 1);

    // The same unknown kid again: refused without a fetch, without waiting.
    const token = await randomKid();
    expectInvalid(await me(token));
    const fetches = auth.jwksRequests;
    const again = Date.now();
    for (let i = 0; i < 10; i++) expectInvalid(await me(token));
    expect(auth.jwksRequests).toBe(fetches);
    expect(Date.now() - again).toBeLessThan(REFETCH_INTERVAL_MS);
  });

  it('waits at most the fetch timeout when the JWKS does not answer', async () => {
    auth.silent = true;
    const started = Date.now();
    expectInvalid(await me(await randomKid()));
    expect(Date.now() - started).toBeLessThan(FETCH_TIMEOUT_MS + 1000);
    await sleep(REFETCH_INTERVAL_MS + 100); // until the fetch left hanging gives up, for the tests after
  });
});

describe('JWKS outage', () => {
  afterEach(() => {
    auth.down = false;
  });

  it('keeps verifying tokens whose key is cached, and rejects unknown kids quickly with 401', async () => {
    const cached = await auth.signWithTestKey({
      sub: 'cached',
      iss: auth.origin,
      aud: auth.origin,
      exp: seconds() + 900,
    });
    expect((await me(cached)).status).toBe(200);
    auth.down = true;

    expect((await me(cached)).status).toBe(200);
    const unknownKid = await auth.signWithTestKey(
      { sub: 'x', iss: auth.origin, aud: auth.origin, exp: seconds() + 900 },
      { kid: 'rotated-away' },
    );
    const started = Date.now();
    expectInvalid(await me(unknownKid));
    // At most the wait for the next fetch (once a second), which fails at once.
    expect(Date.now() - started).toBeLessThan(REFETCH_INTERVAL_MS + 500);
  });
});

describe('a start before Better Auth is reachable', () => {
  // The API starts with its JWKS on a loopback port where nothing listens yet: its first fetch fails.
  let port = 0;
  let late: AuthServer | undefined;
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(() => late?.close());
  const early = useTestApp(() => ({ BETTER_AUTH_URL: `http://127.0.0.1:${port}` }));

  it('verifies the first token of Better Auth once it is up, on the first request', async () => {
    late = await AuthServer.start('EdDSA', port);
    const { user, jwt } = await late.signUp();
    const res = await request(early.app.getHttpServer())
      .get('/api/me')
      .set(bearer(await jwt()));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(user.id);
  });
});

describe('JWKS refresh (JWT_JWKS_REFRESH_S=1, JWT_JWKS_MAX_STALE_S=3)', () => {
  // An app of its own that refetches the key set every second and trusts it for 3 s without a fetch.
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({
      BETTER_AUTH_URL: auth.origin,
      JWT_JWKS_REFRESH_S: '1',
      JWT_JWKS_MAX_STALE_S: '3',
    });
    await sleep(300);
  });
  afterAll(() => app?.close());
  afterEach(() => {
    auth.down = false;
    auth.withdrawTestKey = false;
  });
  const meOn = (token: string) => request(app.getHttpServer()).get('/api/me').set(bearer(token));
  const testToken = (sub: string) =>
    auth.signWithTestKey({ sub, iss: auth.origin, aud: auth.origin, exp: seconds() + 900 });

  it('stops accepting a token, cached or not, once its key is withdrawn from the JWKS', async () => {
    const token = await testToken('withdrawn');
    expect((await meOn(token)).status).toBe(200); // verified, and now cached
    auth.withdrawTestKey = true;
    await sleep(2500); // at least one refresh
    expectInvalid(await meOn(token));
    expectInvalid(await meOn(await testToken('fresh')));
  });

  it('answers 503, not 401, once the JWKS has been unreachable longer than the limit, and recovers', async () => {
    await sleep(2500); // a refresh after the last test's withdrawal: the test key is back in the set
    const token = await testToken('stale');
    expect((await meOn(token)).status).toBe(200);
    auth.down = true;
    await sleep(1500);
    expect((await meOn(token)).status).toBe(200); // within the limit: the cached key still counts
    await sleep(3000);
    for (const t of [token, await testToken('stale-new')]) {
      const res = await meOn(t);
      expectProblem(res, 503);
      expect(res.headers['retry-after']).toBeDefined();
    }
    // HS256 tokens (the shared secret) do not depend on the JWKS.
    expect((await meOn(tokenFor(newUser(), { iss: auth.origin, aud: auth.origin }))).status).toBe(200);
    auth.down = false;
    await sleep(2500);
    expect((await meOn(token)).status).toBe(200);
  }, 25_000);
});
