import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { WebhookDeliveryDto } from '../src/webhooks/dto/webhook.dto.js';
import { as, createTestApp, expectProblem, fieldsOf } from './helpers/app.js';
import { queryOnce } from './helpers/pg.js';
import { newUser } from './helpers/tokens.js';

// The address rule with NOTIFY_ALLOW_PRIVATE=false, as in production: a webhook whose host name
// resolves to 127.0.0.1 gets a delivery recorded as failed ("address refused"), and a listener on
// that port sees no connection at all: the refusal happens in the lookup, before any packet. On a
// database of its own: every app of the run sends every delivery of the database it uses, and the
// others allow private addresses (setup-env.ts), so they must not see this one's, nor it theirs.
const DIRECT = process.env.E2E_DIRECT_DATABASE_URL!;
const database = `tasks_address_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(DIRECT), { pathname: `/${database}` }).toString();

let app: NestExpressApplication;
let listener: Server;
const connections: Socket[] = [];

beforeAll(async () => {
  await queryOnce(DIRECT, `CREATE DATABASE "${database}"`);
  listener = createServer((socket) => {
    connections.push(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  app = await createTestApp({
    DATABASE_URL: url,
    NOTIFY_ALLOW_PRIVATE: 'false',
    REMINDER_TICK_MS: '200',
    DELIVERY_TICK_MS: '200',
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => listener?.close(resolve));
  await queryOnce(DIRECT, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
});

const port = () => (listener.address() as AddressInfo).port;

it('refuses http: and literal private addresses when the webhook is made', async () => {
  const api = as(app, newUser());
  for (const refused of [
    `http://example.com/hook`,
    `https://127.0.0.1:${port()}/`,
    `https://[::1]:${port()}/`,
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/',
    'https://10.0.0.1/',
  ]) {
    const res = await api.post('/api/webhooks').send({ url: refused, events: ['task.created'] });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['url']);
  }
  expect((await api.get('/api/webhooks').expect(200)).body).toEqual([]);
});

it('records "address refused" for a host that resolves to loopback, and never connects to it', async () => {
  const api = as(app, newUser());
  const made = await api
    .post('/api/webhooks')
    .send({ url: `https://localhost:${port()}/hook`, events: ['task.created'] })
    .expect(201);
  await api.post('/api/tasks').send({ title: 'to a private address' }).expect(201);
  let log: WebhookDeliveryDto[] = [];
  for (const until = Date.now() + 20_000; Date.now() < until; await sleep(100)) {
    log = (await api.get(`/api/webhooks/${made.body.id}/deliveries`).expect(200)).body;
    if (log[0]?.status === 'failed') break;
  }
  expect(log).toEqual([
    expect.objectContaining({
      event: 'task.created',
      status: 'failed',
      attempts: 1,
      last_status: null,
      last_error: expect.stringMatching(
        /^address refused: localhost resolves to (127\.0\.0\.1|::1) \(loopback\)$/,
      ),
    }),
  ]);
  expect(connections).toHaveLength(0);
});
