import request from 'supertest';
import { as, useTestApp, expectProblem } from './helpers/app.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { newUser } from './helpers/tokens.js';

// The app reaches PostgreSQL through a proxy the test can cut. Limits from config:
const CONNECT_MS = 1000;
const STATEMENT_MS = 1000;
// A generous upper bound for an answer during an outage (the contract: connect + statement timeouts).
const BOUND_MS = CONNECT_MS + STATEMENT_MS + 1500;

let proxy: TcpProxy;
const target = new URL(process.env.E2E_DATABASE_URL!);
beforeAll(async () => {
  proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
});
afterAll(() => proxy.close());
const t = useTestApp(() => ({
  DATABASE_URL: Object.assign(new URL(target), { host: `127.0.0.1:${proxy.port}` }).toString(),
  DB_CONNECT_TIMEOUT_MS: String(CONNECT_MS),
  DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
}));
const user = newUser();
const acknowledged: string[] = [];

const server = () => request(t.app.getHttpServer());

async function create(title: string) {
  const res = await as(t.app, user).post('/api/tasks').send({ title });
  if (res.status === 201) acknowledged.push(res.body.id);
  return res;
}

/** Retries until the app answers 2xx again (it must heal without a restart). */
async function recovered(): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await create('after the outage');
    if (res.status === 201) return Date.now() - started;
    expect([503]).toContain(res.status);
    if (Date.now() - started > 15_000) throw new Error('did not recover in 15 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectUnavailable() {
  for (const send of [
    () => create('during the outage'),
    () => as(t.app, user).get('/api/tasks'),
    () => as(t.app, user).get('/api/tasks/stats'),
  ]) {
    const started = Date.now();
    const res = await send();
    expectProblem(res, 503);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
  }
  const ready = await server().get('/health/ready');
  expect(ready.status).toBe(503);
  expect((await server().get('/health/live')).status).toBe(200);
}

it('works through the proxy', async () => {
  expect((await create('before')).status).toBe(201);
  expect((await server().get('/health/ready')).status).toBe(200);
});

it('answers 503 quickly while PostgreSQL refuses connections, and heals on its own', async () => {
  proxy.refuse();
  await expectUnavailable();
  proxy.restore();
  await recovered();
  expect((await server().get('/health/ready')).status).toBe(200);
});

it('answers 503 within the timeouts during a silent partition, and heals on its own', async () => {
  proxy.blackhole();
  await expectUnavailable();
  proxy.restore();
  await recovered();
});

it('lost no acknowledged write', async () => {
  const res = await as(t.app, user).get('/api/tasks?limit=100');
  const stored = new Set(res.body.map((t: { id: string }) => t.id));
  expect(acknowledged.length).toBeGreaterThanOrEqual(3);
  for (const id of acknowledged) expect(stored.has(id)).toBe(true);
});
