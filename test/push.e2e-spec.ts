import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import ece from 'http_ece';
import { importJWK, jwtVerify, type JWTPayload } from 'jose';
import { eventually } from './helpers/eventually.js';
import { as, createTestApp, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { useDirectQuery } from './helpers/pg.js';
import { newUser } from './helpers/tokens.js';
import { TEST_VAPID } from './setup-env.js';

// Web Push against a local push service: a server on 127.0.0.1 that decrypts each message (RFC
// 8291) with the subscription's private key and auth secret using `http_ece` (the reference
// implementation), and verifies the VAPID JWT (RFC 8292) with `jose`: aud, exp, sub and the k= key.
// The run's one key pair (test/setup-env.ts): whichever app of the run sends a delivery signs with it.
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

/** A browser's subscription: its key pair and auth secret, as the push service's client would hold them. */
interface Browser {
  ecdh: ECDH;
  auth: string;
  endpoint: string;
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
}

interface Pushed {
  path: string;
  headers: IncomingHttpHeaders;
  plaintext?: string;
  jwt?: JWTPayload;
  error?: string;
  status: number;
  at: number;
}

/** The push service: decrypts and verifies every message, answers as `respond` says (201 by default). */
class PushService {
  readonly pushed: Pushed[] = [];
  private readonly server: Server;
  private readonly browsers = new Map<string, Browser>();
  respond: (n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 201 });

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.receive(req.url ?? '', req.headers, Buffer.concat(chunks)).then((got) => {
          const answer = this.respond(this.pushed.length);
          got.status = answer.status;
          this.pushed.push(got);
          res.writeHead(answer.status, answer.headers).end();
        });
      });
    });
  }

  private async receive(path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Pushed> {
    const got: Pushed = { path, headers, status: 0, at: Date.now() };
    try {
      const browser = this.browsers.get(path);
      if (!browser) throw new Error(`no browser at ${path}`);
      got.plaintext = ece
        .decrypt(body, {
          version: 'aes128gcm',
          privateKey: browser.ecdh,
          authSecret: browser.auth,
        })
        .toString('utf8');
      const auth = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(headers.authorization));
      if (!auth) throw new Error(`Authorization: ${headers.authorization}`);
      if (auth[2] !== VAPID.publicKey) throw new Error('k= is not the server key');
      const k = Buffer.from(auth[2], 'base64url');
      const key = await importJWK(
        {
          kty: 'EC',
          crv: 'P-256',
          x: k.subarray(1, 33).toString('base64url'),
          y: k.subarray(33).toString('base64url'),
        },
        'ES256',
      );
      const { payload } = await jwtVerify(auth[1], key, {
        algorithms: ['ES256'],
        audience: this.origin,
        subject: SUBJECT,
        requiredClaims: ['exp'],
      });
      // RFC 8292 §2: no more than 24 hours ahead.
      if (payload.exp! > Date.now() / 1000 + 24 * 3600) throw new Error('exp more than 24 h ahead');
      got.jwt = payload;
    } catch (err) {
      got.error = (err as Error).message;
    }
    return got;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  browser(): Browser {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    const path = `/push/${randomBytes(8).toString('hex')}`;
    const endpoint = `${this.origin}${path}`;
    const browser: Browser = {
      ecdh,
      auth,
      endpoint,
      json: {
        endpoint,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth },
      },
    };
    this.browsers.set(path, browser);
    return browser;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

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
