import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp, expectProblem } from './helpers/app.js';
import { newUser, tokenFor } from './helpers/tokens.js';

/**
 * The per-IP limit for requests without a valid token (RATE_LIMIT_IP_PER_MINUTE=3 here): ahead of
 * routing, so floods of unknown paths and of the docs count too (health never), per client address
 * as TRUST_PROXY says to read it, IPv6 clients per /64.
 */
describe.each([
  ['without TRUST_PROXY', {}],
  ['with TRUST_PROXY=1', { TRUST_PROXY: '1' }],
])('%s', (name, extra: Record<string, string>) => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ RATE_LIMIT_IP_PER_MINUTE: '3', ...extra });
  });
  afterAll(() => app?.close());
  const from = (address: string, path: string) =>
    request(app.getHttpServer()).get(path).set('X-Forwarded-For', address);
  const trusted = name.startsWith('with ');

  it('limits a flood of unknown paths and of the docs, never health', async () => {
    const statuses: number[] = [];
    for (const path of ['/nope', '/docs-json', '/api/nope', '/docs-yaml', '/nope'])
      statuses.push((await from('198.51.100.1', path)).status);
    expect(statuses.slice(0, 3)).toEqual([404, 200, 404]);
    expectProblem(await from('198.51.100.1', '/nope'), 429);
    expect((await from('198.51.100.1', '/health/live')).status).toBe(200);
  });

  it(
    trusted
      ? 'counts each client behind the proxy by its own address, IPv6 clients by their /64'
      : 'ignores X-Forwarded-For: every client of one socket address shares the budget',
    async () => {
      for (let i = 0; i < 4; i++) await from('2001:db8:aaaa:1::1', '/nope');
      // Same /64, another address: the same budget.
      const sameNet = await from('2001:db8:aaaa:1:ffff::2', '/nope');
      expect(sameNet.status).toBe(429);
      // Another /64, another IPv4 client: their own budgets only when the proxy is trusted.
      for (const other of ['2001:db8:aaaa:2::1', '203.0.113.9'])
        expect((await from(other, '/nope')).status).toBe(trusted ? 404 : 429);
    },
  );
});

describe('requests with a token that match no route', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ RATE_LIMIT_IP_PER_MINUTE: '3' });
  });
  afterAll(() => app?.close());
  const get = (path: string, token: string) =>
    request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);

  it('count per IP (the token is never checked there), and never requests its routes serve', async () => {
    const statuses: number[] = [];
    for (const path of ['/nope', '/api/nope', '/api/tasks/x/y/z'])
      statuses.push((await get(path, 'junk')).status);
    expect(statuses).toEqual([404, 404, 404]);
    expectProblem(await get('/api/nope', 'junk'), 429);
    // A valid token on a route is counted per user, not against the exhausted address.
    expect((await get('/api/tasks', tokenFor(newUser('per-ip')))).status).toBe(200);
  });
});

describe('the docs, whatever Authorization header they carry', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ RATE_LIMIT_IP_PER_MINUTE: '3' });
  });
  afterAll(() => app?.close());

  it('count per IP, like unknown paths under /health/, and never the probes', async () => {
    const get = (path: string, token = tokenFor(newUser('docs'))) =>
      request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
    const statuses: number[] = [];
    for (const path of ['/docs-json', '/docs-yaml', '/health/nope']) statuses.push((await get(path)).status);
    expect(statuses).toEqual([200, 200, 404]);
    const limited = await get('/docs-json');
    expectProblem(limited, 429);
    // Answered ahead of routing, it still carries the security headers of every answer.
    expect(limited.headers['x-content-type-options']).toBe('nosniff');
    expect(limited.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // Express routes without regard to case: every spelling it serves the docs under counts too.
    for (const path of ['/DOCS-json', '/Docs/', '/docs/swagger-ui.css', '/DOCS/swagger-ui.css'])
      expectProblem(await get(path, 'junk'), 429);
    expectProblem(await request(app.getHttpServer()).get('/health/nope'), 429);
    // CORS preflights are answered before routing: one carrying a token counts too.
    for (const path of ['/api/tasks', '/nope']) {
      const preflight = request(app.getHttpServer())
        .options(path)
        .set('Authorization', 'Bearer junk')
        .set('Origin', 'http://localhost:3000')
        .set('Access-Control-Request-Method', 'GET');
      expectProblem(await preflight, 429);
    }
    expect((await get('/health/live')).status).toBe(200);
    // A valid token on a route counts against its user, not the exhausted address.
    expect((await get('/api/tasks')).status).toBe(200);
  });
});
