import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, createTestApp, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { appPassword, basic, davClient, PROPFIND } from './helpers/dav.js';
import { newUser, tokenFor } from './helpers/tokens.js';
import request from 'supertest';
import type { App } from 'supertest/types.js';

const t = useTestApp();
const PASSWORD = /^([a-km-np-z2-9]{4}-){5}[a-km-np-z2-9]{4}$/;
const ROOT_PROPFIND = PROPFIND('<d:current-user-principal/>');

describe('app passwords', () => {
  it('are made (the password shown once), listed without secrets, and deleted', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const made = await api.post('/api/app-passwords').send({ name: '  iPhone Reminders ' }).expect(201);
    expect(made.body).toEqual({
      id: expect.any(String),
      name: 'iPhone Reminders',
      password: expect.stringMatching(PASSWORD),
      created_at: expect.any(String),
    });
    const listed = await api.get('/api/app-passwords').expect(200);
    expect(listed.body).toEqual([
      { id: made.body.id, name: 'iPhone Reminders', created_at: made.body.created_at, last_used_at: null },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.password);
    // Stored only as a salted scrypt hash, with its parameters.
    const [row] = await t.db.query('SELECT hash, lookup FROM app_passwords WHERE id = $1', [made.body.id]);
    const plain = made.body.password.replaceAll('-', '');
    expect(row.hash).toMatch(/^scrypt\$16384\$8\$5\$/);
    expect(row.hash).not.toContain(plain);
    expect(row.lookup).toBe(plain.slice(0, 4));
    // Nobody else sees or deletes it.
    const other = as(t.app, newUser());
    expect((await other.get('/api/app-passwords').expect(200)).body).toEqual([]);
    expectProblem(await other.delete(`/api/app-passwords/${made.body.id}`), 404);
    await api.delete(`/api/app-passwords/${made.body.id}`).expect(204);
    expectProblem(await api.delete(`/api/app-passwords/${made.body.id}`), 404);
    expect((await api.get('/api/app-passwords').expect(200)).body).toEqual([]);
  });

  it('validate their input and need a bearer token', async () => {
    const api = as(t.app, newUser());
    expect(fieldsOf(await api.post('/api/app-passwords').send({ name: '' }).expect(400))).toEqual(['name']);
    expect(
      fieldsOf(await api.post('/api/app-passwords').send({ name: 'x', password: 'y' }).expect(400)),
    ).toEqual(['password']);
    expectProblem(await api.delete('/api/app-passwords/nope'), 400);
    expectProblem(await as(t.app).get('/api/app-passwords'), 401);
  });

  it('are at most 20 per user', async () => {
    const api = as(t.app, newUser());
    for (let i = 0; i < 20; i++)
      await api
        .post('/api/app-passwords')
        .send({ name: `p${i}` })
        .expect(201);
    const res = await api.post('/api/app-passwords').send({ name: 'one too many' });
    expectProblem(res, 403);
    expect(res.body.title).toBe('App password limit reached');
  }, 60_000);
});

describe('/dav sign-in', () => {
  it('is HTTP Basic with the user id or email and an app password; anything else is 401 with a Basic challenge', async () => {
    const user = newUser();
    const email = `${user}@example.com`;
    const password = await appPassword(t.app, user);
    // The users directory learns the email from the user's token.
    await request(t.app.getHttpServer() as App)
      .get('/api/me')
      .set('Authorization', `Bearer ${tokenFor(user, { email })}`)
      .expect(200);
    for (const login of [user, email, email.toUpperCase()]) {
      const res = await davClient(t.app, login, password).propfind('/dav/', ROOT_PROPFIND);
      expect(`${login}: ${res.status}`).toBe(`${login}: 207`);
    }
    // Typed with spaces and capitals, as a person might.
    await davClient(t.app, user, password.toUpperCase().replaceAll('-', ' '))
      .propfind('/dav/', ROOT_PROPFIND)
      .expect(207);
    const refused = [
      davClient(t.app).propfind('/dav/', ROOT_PROPFIND),
      davClient(t.app, user, 'wrong-password').propfind('/dav/', ROOT_PROPFIND),
      davClient(t.app, newUser(), password).propfind('/dav/', ROOT_PROPFIND),
      davClient(t.app).call('propfind', '/dav/', { Authorization: `Bearer ${tokenFor(user)}` }),
      davClient(t.app).call('get', '/dav/calendars/'),
    ];
    for (const res of await Promise.all(refused)) {
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="tasks-api", charset="UTF-8"');
    }
  });

  it('stops working at the next request once the app password is deleted, and records when it was last used', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const password = await appPassword(t.app, user);
    const client = davClient(t.app, user, password);
    await client.propfind('/dav/', ROOT_PROPFIND).expect(207);
    const [listed] = (await api.get('/api/app-passwords').expect(200)).body as {
      id: string;
      last_used_at: string;
    }[];
    expect(Date.parse(listed.last_used_at)).toBeGreaterThan(Date.now() - 60_000);
    await api.delete(`/api/app-passwords/${listed.id}`).expect(204);
    expectProblem(await client.propfind('/dav/', ROOT_PROPFIND), 401);
  });

  it('answers OPTIONS without credentials, and sends /.well-known/caldav to /dav/', async () => {
    const options = await davClient(t.app).call('options', '/dav/').expect(200);
    expect(options.headers.dav).toContain('calendar-access');
    const redirect = await davClient(t.app).call('propfind', '/.well-known/caldav').expect(301);
    expect(redirect.headers.location).toBe('/dav/');
  });

  it('does not read /dav bodies as JSON, and leaves the REST routes to bearer tokens', async () => {
    const user = newUser();
    const password = await appPassword(t.app, user);
    // A JSON body under /dav is not parsed as JSON (CalDAV reads its own bodies): 415 here, not 400.
    const res = await davClient(t.app, user, password)
      .call('propfind', '/dav/', { 'Content-Type': 'application/json' })
      .send('{"not": "xml"}');
    expectProblem(res, 415);
    // An app password is no bearer token, and Basic is no way into /api.
    expectProblem(
      await request(t.app.getHttpServer()).get('/api/tasks').set('Authorization', basic(user, password)),
      401,
    );
    const tasks = (await as(t.app, user).get('/api/tasks').expect(200)).body as Task[];
    expect(tasks).toEqual([]);
  });
});

describe('/dav sign-in limits', () => {
  let app: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    app = await createTestApp({
      RATE_LIMIT_LOGIN_FAILURES: '2',
      RATE_LIMIT_IP_PER_MINUTE: '1000',
    });
  }, 60_000);
  afterAll(() => app?.close());

  it('counts failures per login: beyond the limit even the right password is 429 until the window ends', async () => {
    const user = newUser();
    const password = await appPassword(app, user);
    for (let i = 0; i < 2; i++)
      expectProblem(await davClient(app, user, 'wrong').propfind('/dav/', ROOT_PROPFIND), 401);
    const limited = await davClient(app, user, password).propfind('/dav/', ROOT_PROPFIND);
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is not affected.
    const other = newUser();
    await davClient(app, other, await appPassword(app, other))
      .propfind('/dav/', ROOT_PROPFIND)
      .expect(207);
  });
});

describe('/dav sign-in limits per address', () => {
  let app: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    app = await createTestApp({ RATE_LIMIT_LOGIN_FAILURES: '100', RATE_LIMIT_IP_PER_MINUTE: '3' });
  }, 60_000);
  afterAll(() => app?.close());

  it('counts failed sign-ins against the address too, whatever login each tried', async () => {
    for (let i = 0; i < 3; i++)
      expectProblem(await davClient(app, newUser(), 'wrong').propfind('/dav/', ROOT_PROPFIND), 401);
    expectProblem(await davClient(app, newUser(), 'wrong').propfind('/dav/', ROOT_PROPFIND), 429);
  });
});
