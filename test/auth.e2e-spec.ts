import request from 'supertest';
import { useTestApp, expectProblem } from './helpers/app.js';
import { newUser, seconds, signToken, tokenFor } from './helpers/tokens.js';

const t = useTestApp();

const server = () => request(t.app.getHttpServer());
const withToken = (token: string) => server().get('/api/me').set('Authorization', `Bearer ${token}`);

function expectInvalidToken(res: request.Response, detail = 'The access token is invalid') {
  expectProblem(res, 401);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tasks-api", error="invalid_token"/);
  expect(res.body.detail).toBe(detail);
}

describe('HS256 tokens', () => {
  it('accepts a valid token and makes its sub the user', async () => {
    const user = newUser();
    const res = await withToken(tokenFor(user, { email: 'a@example.com', name: 'Ada' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: user, email: 'a@example.com', name: 'Ada' });
  });

  it('accepts a token without iat or with a Better Auth-shaped payload (no typ header)', async () => {
    const user = newUser();
    const token = signToken(
      { id: user, sub: user, email: 'b@example.com', name: 'B', emailVerified: true, exp: seconds() + 900 },
      { header: { alg: 'HS256' } },
    );
    expect((await withToken(token)).body).toEqual({ id: user, email: 'b@example.com', name: 'B' });
  });

  it('refuses a token over 8 192 characters unread, and takes one just under', async () => {
    const user = newUser();
    const sized = (length: number) => {
      const base = tokenFor(user, { pad: '' });
      return tokenFor(user, { pad: 'x'.repeat(Math.floor(((length - base.length) * 3) / 4)) });
    };
    const ok = sized(8100);
    expect(ok.length).toBeLessThanOrEqual(8192);
    expect((await withToken(ok)).status).toBe(200);
    const long = sized(8300);
    expect(long.length).toBeGreaterThan(8192);
    expectInvalidToken(await withToken(long));
  });

  it('refuses a token whose typ says it is not an access token', async () => {
    const user = newUser();
    const claims = { sub: user, iat: seconds(), exp: seconds() + 900 };
    const cache = signToken(claims, { header: { alg: 'HS256', typ: 'better-auth.session-cache+jwt' } });
    expectInvalidToken(await withToken(cache));
    const atJwt = signToken(claims, { header: { alg: 'HS256', typ: 'at+jwt' } });
    expect((await withToken(atJwt)).status).toBe(200);
  });

  it('says "expired" for an expired token', async () => {
    const res = await withToken(tokenFor(newUser(), { iat: seconds() - 1000, exp: seconds() - 120 }));
    expectInvalidToken(res, 'The access token expired');
  });

  it('recognises a token it verified before, but only byte for byte', async () => {
    const user = newUser();
    const token = tokenFor(user);
    const [h, p, sig] = token.split('.');
    const flipped = sig.startsWith('A') ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    const other = Buffer.from(JSON.stringify({ sub: 'mallory', exp: seconds() + 900 })).toString('base64url');
    expect((await withToken(token)).body.id).toBe(user);
    expect((await withToken(token)).body.id).toBe(user);
    expectInvalidToken(await withToken(`${h}.${p}.${flipped}`));
    expectInvalidToken(await withToken(`${h}.${other}.${sig}`));
    expect((await withToken(tokenFor(newUser()))).body.id).not.toBe(user);
  });

  it('tolerates clock skew within JWT_CLOCK_SKEW_S', async () => {
    expect((await withToken(tokenFor(newUser(), { exp: seconds() - 5 }))).status).toBe(200);
  });

  it.each([
    [
      'signed with another secret',
      () => signToken({ sub: 'x', exp: seconds() + 60 }, { secret: 'another-secret-another-secret-123' }),
    ],
    [
      'with alg none',
      () => signToken({ sub: 'x', exp: seconds() + 60 }, { header: { alg: 'none', typ: 'JWT' } }),
    ],
    [
      'with alg HS512',
      () => signToken({ sub: 'x', exp: seconds() + 60 }, { header: { alg: 'HS512', typ: 'JWT' } }),
    ],
    ['without sub', () => signToken({ exp: seconds() + 60 })],
    ['with an empty sub', () => signToken({ sub: '', exp: seconds() + 60 })],
    ['with a blank sub', () => signToken({ sub: '   ', exp: seconds() + 60 })],
    ['with a numeric sub', () => signToken({ sub: 42, exp: seconds() + 60 })],
    ['without exp', () => signToken({ sub: 'x' })],
    ['with nbf in the future', () => signToken({ sub: 'x', nbf: seconds() + 600, exp: seconds() + 900 })],
    ['with iat in the future', () => signToken({ sub: 'x', iat: seconds() + 600, exp: seconds() + 900 })],
    ['that is not a JWT', () => 'not-a-jwt'],
    [
      'with a tampered payload',
      () => {
        const [h, , s] = tokenFor('alice').split('.');
        const forged = Buffer.from(JSON.stringify({ sub: 'mallory', exp: seconds() + 900 })).toString(
          'base64url',
        );
        return `${h}.${forged}.${s}`;
      },
    ],
  ])('rejects a token %s', async (_, make) => {
    expectInvalidToken(await withToken(make()));
  });

  it('answers a missing token with a plain Bearer challenge', async () => {
    const res = await server().get('/api/tasks');
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tasks-api"');
  });

  it('treats another scheme as no credentials', async () => {
    const res = await server()
      .get('/api/tasks')
      .set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`);
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tasks-api"');
  });

  it('never reads a token from the query string or the body', async () => {
    const token = tokenFor(newUser());
    for (const param of ['token', 'access_token']) {
      const res = await server().get(`/api/me?${param}=${token}`);
      expectProblem(res, 401);
    }
    const res = await server().post('/api/tasks').send({ title: 't', access_token: token });
    expectProblem(res, 401);
  });
});

describe('default-deny', () => {
  it('closes every /api route without a token, and opens only health and docs', async () => {
    const doc = (await server().get('/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({
        method,
        path: path.replace('{id}', '00000000-0000-4000-8000-000000000000').replace('{user_id}', 'alice'),
      })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(19);
    for (const { method, path } of operations) {
      const res = await (server() as unknown as Record<string, (url: string) => request.Test>)[method](path);
      if (path.startsWith('/health/')) {
        expect(res.status).toBe(200);
      } else {
        expect(`${method} ${path} -> ${res.status}`).toBe(`${method} ${path} -> 401`);
      }
    }
    expect((await server().get('/docs')).status).toBe(200);
  });
});
