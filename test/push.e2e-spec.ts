import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './helpers/eventually.js';
import { as, createTestApp, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { useDirectQuery } from './helpers/pg.js';
import { PushService, type Browser } from './helpers/push-service.js';
import { newUser } from './helpers/tokens.js';
import { TEST_VAPID } from './setup-env.js';

// Web Push against a local push service (test/helpers/push-service.ts) that decrypts every message
// with the subscription's keys (RFC 8291, `http_ece`) and verifies the VAPID JWT (RFC 8292, `jose`).
const VAPID = TEST_VAPID;
const SUBJECT = TEST_VAPID.subject;
const ENV = {
  REMINDER_TICK_MS: '200',
  DELIVERY_TICK_MS: '200',
  DELIVERY_RETRY_BASE_MS: '300',
};
const t = useTestApp(ENV);
type Api = ReturnType<typeof as>;

const query = useDirectQuery();

let service: PushService;
beforeEach(async () => {
  service = await new PushService().start();
});
afterEach(() => service.close());

const subscribe = async (api: Api, browser: Browser): Promise<string> => {
  const res = await api.post('/api/push-subscriptions').send(browser.json);
  expect(res.status).toBe(201);
  return res.body.id;
};
const remindSoon = async (api: Api) => {
  const task = (await api.post('/api/tasks').send({ title: 'board the train' }).expect(201)).body;
  await api
    .post(`/api/tasks/${task.id}/reminders`)
    .send({ at: new Date(Date.now() + 300).toISOString() })
    .expect(201);
  return task;
};
const subscriptionsOf = async (user: string) =>
  query('SELECT id FROM push_subscriptions WHERE user_id = $1', [user]);

describe('push routes', () => {
  it('gives the VAPID public key', async () => {
    const res = await as(t.app, newUser()).get('/api/push/vapid-public-key').expect(200);
    expect(res.body).toEqual({ public_key: VAPID.publicKey });
  });

  it('stores a subscription once per endpoint, deletes it, and 404s anyone else', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const browser = service.browser();
    const id = await subscribe(api, browser);
    expect(await subscribe(api, browser)).toBe(id);
    expectProblem(await as(t.app, newUser()).delete(`/api/push-subscriptions/${id}`), 404);
    await api.delete(`/api/push-subscriptions/${id}`).expect(204);
    expectProblem(await api.delete(`/api/push-subscriptions/${id}`), 404);
    expect(await subscriptionsOf(user)).toEqual([]);
  });

  it('gives an endpoint to the user who registered it last', async () => {
    const first = newUser();
    const second = newUser();
    const browser = service.browser();
    await subscribe(as(t.app, first), browser);
    await subscribe(as(t.app, second), browser);
    expect(await subscriptionsOf(first)).toEqual([]);
    expect(await subscriptionsOf(second)).toHaveLength(1);
  });

  it('names the field of every invalid input', async () => {
    const api = as(t.app, newUser());
    const good = service.browser().json;
    const bad = async (body: unknown, fields: string[]) => {
      const res = await api.post('/api/push-subscriptions').send(body as object);
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(fields);
    };
    await bad({ keys: good.keys }, ['endpoint']);
    await bad({ ...good, endpoint: 'not a url' }, ['endpoint']);
    await bad({ ...good, endpoint: 'ftp://push.example.com/x' }, ['endpoint']);
    await bad({ ...good, keys: { ...good.keys, p256dh: 'short' } }, ['keys.p256dh']);
    await bad({ ...good, keys: { ...good.keys, auth: 'x'.repeat(40) } }, ['keys.auth']);
    await bad({ endpoint: good.endpoint }, ['keys']);
    await bad({ ...good, extra: 1 }, ['extra']);
  });

  it('answers 503 when the server has no VAPID keys', async () => {
    const app = await createTestApp({
      VAPID_PUBLIC_KEY: undefined,
      VAPID_PRIVATE_KEY: undefined,
      VAPID_SUBJECT: undefined,
    });
    try {
      const api = as(app, newUser());
      expectProblem(await api.get('/api/push/vapid-public-key'), 503);
      expectProblem(await api.post('/api/push-subscriptions').send(service.browser().json), 503);
    } finally {
      await app.close();
    }
  });
});

describe('pushes', () => {
  it('pushes a fired reminder, aes128gcm-encrypted for the browser, VAPID-signed, with TTL, Urgency and Topic', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const browser = service.browser();
    await subscribe(api, browser);
    const task = await remindSoon(api);
    const [got] = await eventually(() => service.pushed.length > 0 && service.pushed);
    expect(got.error).toBeUndefined();
    const rows = await query<{ id: string; body: unknown }>(
      'SELECT id, body FROM notifications WHERE user_id = $1',
      [user],
    );
    expect(JSON.parse(got.plaintext!)).toEqual(rows[0].body);
    expect(JSON.parse(got.plaintext!).task.id).toBe(task.id);
    expect(got.headers['content-encoding']).toBe('aes128gcm');
    expect(got.headers.ttl).toBe(String(24 * 3600));
    expect(got.headers.urgency).toBe('high');
    expect(got.headers.topic).toBe(rows[0].id.replaceAll('-', ''));
    expect(got.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(got.jwt).toMatchObject({ aud: service.origin, sub: SUBJECT });
  });

  it('retries a 429 after its Retry-After with the same Topic, then stops', async () => {
    const api = as(t.app, newUser());
    service.respond = (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 201 });
    await subscribe(api, service.browser());
    await remindSoon(api);
    await eventually(() => service.pushed.length >= 2);
    await sleep(1000);
    expect(service.pushed.map((p) => p.status)).toEqual([429, 201]);
    expect(service.pushed[1].at - service.pushed[0].at).toBeGreaterThanOrEqual(1900);
    expect(new Set(service.pushed.map((p) => p.headers.topic)).size).toBe(1);
    expect(service.pushed.every((p) => !p.error)).toBe(true);
  });

  it.each([404, 410])('deletes the subscription on a %i', async (status) => {
    const user = newUser();
    const api = as(t.app, user);
    service.respond = () => ({ status });
    await subscribe(api, service.browser());
    await remindSoon(api);
    await eventually(async () => (await subscriptionsOf(user)).length === 0);
    await remindSoon(api);
    await sleep(1500);
    expect(service.pushed).toHaveLength(1);
  });
});
