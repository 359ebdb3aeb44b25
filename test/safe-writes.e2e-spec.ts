import { DataSource } from 'typeorm';
import { as, useTestApp, expectProblem } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

const t = useTestApp();
const second = useTestApp(); // a second instance on the same database

type Api = ReturnType<typeof as>;
const newTask = async (api: Api, body: object = { title: 'task' }) =>
  (await api.post('/api/tasks').send(body)).body as { id: string; version: number; title: string };

/** Each conditional write, with a body that changes something. */
const WRITES = {
  PUT: (api: Api, base: string, id: string) => api.put(`${base}/${id}`).send({ title: 'put' }),
  PATCH: (api: Api, base: string, id: string) => api.patch(`${base}/${id}`).send({ title: 'patched' }),
  toggle: (api: Api, base: string, id: string) => api.patch(`${base}/${id}/complete`),
  DELETE: (api: Api, base: string, id: string) => api.delete(`${base}/${id}`),
};

describe('If-Match', () => {
  for (const [name, write] of Object.entries(WRITES)) {
    describe(name, () => {
      for (const alias of [false, true]) {
        const label = alias ? ' (under /api/{user_id}/tasks)' : '';
        it(`succeeds with the current tag, is 412 with a stale one and changes nothing${label}`, async () => {
          const user = newUser();
          const api = as(t.app, user);
          const base = alias ? `/api/${user}/tasks` : '/api/tasks';
          const task = await newTask(api);
          await api.patch(`/api/tasks/${task.id}`).send({ description: 'v2' }); // now at version 2
          const before = (await api.get(`/api/tasks/${task.id}`)).body;

          const stale = await write(api, base, task.id).set('If-Match', '"1"');
          expectProblem(stale, 412);
          expect(stale.headers.etag).toBe('"2"');
          expect((await api.get(`/api/tasks/${task.id}`)).body).toEqual(before);

          const ok = await write(api, base, task.id).set('If-Match', '"2"');
          expect(ok.status).toBe(name === 'DELETE' ? 204 : 200);
          if (name !== 'DELETE') expect(ok.headers.etag).toBe('"3"');
        });
      }

      it('accepts * for any existing task, and a list containing the current tag', async () => {
        const api = as(t.app, newUser());
        const a = await newTask(api);
        expect((await write(api, '/api/tasks', a.id).set('If-Match', '*')).status).toBeLessThan(300);
        const b = await newTask(api);
        expect((await write(api, '/api/tasks', b.id).set('If-Match', '"7", "1"')).status).toBeLessThan(300);
      });

      it('never matches a weak tag (strong comparison)', async () => {
        const api = as(t.app, newUser());
        const task = await newTask(api);
        expectProblem(await write(api, '/api/tasks', task.id).set('If-Match', 'W/"1"'), 412);
      });

      it('is 400 for a malformed header', async () => {
        const api = as(t.app, newUser());
        const task = await newTask(api);
        const res = await write(api, '/api/tasks', task.id).set('If-Match', '1');
        expectProblem(res, 400);
        expect(res.body.errors[0].field).toBe('If-Match');
      });

      it("is 404, never 412, for someone else's task", async () => {
        const task = await newTask(as(t.app, newUser()));
        const intruder = as(t.app, newUser());
        expectProblem(await write(intruder, '/api/tasks', task.id).set('If-Match', '"1"'), 404);
        expectProblem(await write(intruder, '/api/tasks', task.id).set('If-Match', '"9"'), 404);
        expectProblem(await write(intruder, '/api/tasks', task.id).set('If-Match', '*'), 404);
      });
    });
  }

  it('an empty PATCH with a stale tag is 412 too', async () => {
    const api = as(t.app, newUser());
    const task = await newTask(api);
    expectProblem(await api.patch(`/api/tasks/${task.id}`).set('If-Match', '"5"').send({}), 412);
    expect((await api.patch(`/api/tasks/${task.id}`).set('If-Match', '"1"').send({})).status).toBe(200);
  });

  it('works across instances: a tag read from one is honoured by the other', async () => {
    const user = newUser();
    const one = as(t.app, user);
    const two = as(second.app, user);
    const task = await newTask(one);
    const { headers } = await one.get(`/api/tasks/${task.id}`);
    expect(
      (await two.patch(`/api/tasks/${task.id}`).set('If-Match', headers.etag).send({ title: 'b' })).status,
    ).toBe(200);
    expectProblem(
      await one.patch(`/api/tasks/${task.id}`).set('If-Match', headers.etag).send({ title: 'a' }),
      412,
    );
    expect((await one.get(`/api/tasks/${task.id}`)).body).toMatchObject({ title: 'b', version: 2 });
  });
});

describe('atomic writes without If-Match', () => {
  it('concurrent PATCHes of different fields all land', async () => {
    const api = as(t.app, newUser());
    const task = await newTask(api);
    const changes = [
      { title: 'new title' },
      { description: 'new description' },
      { priority: 'high' },
      { due_date: '2030-01-01T00:00:00Z' },
      { tags: ['a', 'b'] },
      { completed: true },
    ];
    const results = await Promise.all(changes.map((c) => api.patch(`/api/tasks/${task.id}`).send(c)));
    expect(results.map((r) => r.status)).toEqual(changes.map(() => 200));
    expect((await api.get(`/api/tasks/${task.id}`)).body).toMatchObject({
      title: 'new title',
      description: 'new description',
      priority: 'high',
      due_date: '2030-01-01T00:00:00.000Z',
      tags: ['a', 'b'],
      completed: true,
      version: 1 + changes.length,
    });
  });

  it('20 concurrent PATCHes: none lost, version 21, every field holds a value written to it', async () => {
    const api = as(t.app, newUser());
    const task = await newTask(api);
    const fields = ['title', 'description', 'priority', 'tags', 'due_date'] as const;
    const value = (field: (typeof fields)[number], i: number) =>
      ({
        title: `title ${i}`,
        description: `description ${i}`,
        priority: ['low', 'medium', 'high'][i % 3],
        tags: [`t${i}`],
        due_date: `2030-01-${String(1 + i).padStart(2, '0')}T00:00:00.000Z`,
      })[field];
    const patches = Array.from({ length: 20 }, (_, i) => ({ [fields[i % 5]]: value(fields[i % 5], i) }));
    const results = await Promise.all(patches.map((p) => api.patch(`/api/tasks/${task.id}`).send(p)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const final = (await api.get(`/api/tasks/${task.id}`)).body;
    expect(final.version).toBe(21);
    for (const field of fields) {
      const written = patches.filter((p) => field in p).map((p) => JSON.stringify(p[field]));
      expect(written).toContain(JSON.stringify(final[field]));
    }
  });

  it('50 concurrent set-complete calls end consistent', async () => {
    const api = as(t.app, newUser());
    const task = await newTask(api);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => api.patch(`/api/tasks/${task.id}/complete`).send({ completed: true })),
    );
    expect(results.every((r) => r.status === 200 && r.body.completed === true)).toBe(true);
    expect(new Set(results.map((r) => r.body.version)).size).toBe(50);
    expect((await api.get(`/api/tasks/${task.id}`)).body).toMatchObject({ completed: true, version: 51 });
  });

  it('50 concurrent toggles lose none: an even count ends where it started', async () => {
    const api = as(t.app, newUser());
    const task = await newTask(api);
    await Promise.all(Array.from({ length: 50 }, () => api.patch(`/api/tasks/${task.id}/complete`)));
    expect((await api.get(`/api/tasks/${task.id}`)).body).toMatchObject({ completed: false, version: 51 });
  });
});

describe('Idempotency-Key', () => {
  const key = () => `key-${Math.random().toString(36).slice(2)}`;
  const count = async (api: Api) => Number((await api.get('/api/tasks')).headers['x-total-count']);

  it('replays the original 201 for the same key and body, creating nothing', async () => {
    const api = as(t.app, newUser());
    const k = key();
    const first = await api
      .post('/api/tasks')
      .set('Idempotency-Key', k)
      .send({ title: 'once', tags: ['A'] });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Created inside the key's transaction, written exactly as a read of the task writes it.
    expect((await api.get(`/api/tasks/${first.body.id}`)).body).toEqual(first.body);
    // Same request, fields in another order, and after the task changed: the original response.
    await api.patch(`/api/tasks/${first.body.id}`).send({ title: 'changed since' });
    const again = await api
      .post('/api/tasks')
      .set('Idempotency-Key', k)
      .send({ tags: ['a'], title: 'once' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers.etag).toBe('"1"');
    expect(await count(api)).toBe(1);
  });

  it('is 422 for the same key with a different body', async () => {
    const api = as(t.app, newUser());
    const k = key();
    await api.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'one' });
    expectProblem(await api.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'two' }), 422);
    expect(await count(api)).toBe(1);
  });

  it('keys are per user', async () => {
    const k = key();
    const a = as(t.app, newUser());
    const b = as(t.app, newUser());
    const ra = await a.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'same' });
    const rb = await b.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'same' });
    expect(rb.status).toBe(201);
    expect(rb.headers['idempotent-replayed']).toBeUndefined();
    expect(rb.body.id).not.toBe(ra.body.id);
    expect(rb.body.user_id).not.toBe(ra.body.user_id);
  });

  it('an expired key (older than 24 h) is a new request', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const k = key();
    const first = await api.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'old' });
    await t.app
      .get(DataSource)
      .query(
        `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND key = $2`,
        [user, k],
      );
    const again = await api.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'old' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    expect(await count(api)).toBe(2);
  });

  it('the sweep deletes expired keys', async () => {
    const user = newUser();
    const k = key();
    await as(t.app, user).post('/api/tasks').set('Idempotency-Key', k).send({ title: 'x' });
    const db = t.app.get(DataSource);
    await db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 hour' WHERE user_id = $1`, [
      user,
    ]);
    const { IdempotencyService } = await import('../src/idempotency/idempotency.service.js');
    expect(await t.app.get(IdempotencyService).sweep()).toBeGreaterThanOrEqual(1);
    expect(await db.query(`SELECT 1 FROM idempotency_keys WHERE user_id = $1`, [user])).toHaveLength(0);
  });

  it('10 concurrent POSTs with one key create exactly one task', async () => {
    const api = as(t.app, newUser());
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'race' }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = results.filter((r) => r.status === 201);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((x) => x.status === 409)) expectProblem(r, 409);
    expect(await count(api)).toBe(1);
  });

  it('a retry on another instance replays the first instance’s response', async () => {
    const user = newUser();
    const k = key();
    const first = await as(t.app, user).post('/api/tasks').set('Idempotency-Key', k).send({ title: 'multi' });
    const retry = await as(second.app, user)
      .post('/api/tasks')
      .set('Idempotency-Key', k)
      .send({ title: 'multi' });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await count(as(second.app, user))).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a control character', 'abc\tdef'],
  ])('rejects a key that is %s', async (_, k) => {
    const api = as(t.app, newUser());
    const res = await api.post('/api/tasks').set('Idempotency-Key', k).send({ title: 'x' });
    expectProblem(res, 400);
    expect(await count(api)).toBe(0);
  });

  it('accepts 255 printable characters', async () => {
    const res = await as(t.app, newUser())
      .post('/api/tasks')
      .set('Idempotency-Key', '~'.repeat(255))
      .send({ title: 'x' });
    expect(res.status).toBe(201);
  });
});
