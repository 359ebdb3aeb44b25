import { as, useTestApp, expectProblem } from './helpers/app.js';
import { WRITABLE_DEFAULTS } from '../src/tasks/task.schema.js';
import { newUser } from './helpers/tokens.js';

const t = useTestApp();

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /api/tasks', () => {
  it('creates a task with defaults, Location and ETag', async () => {
    const user = newUser();
    const res = await as(t.app, user).post('/api/tasks').send({ title: 'Buy milk' });
    expect(res.status).toBe(201);
    // Every field (a writable one the create left out at its default), and nothing else...
    expect(res.body).toEqual({
      ...WRITABLE_DEFAULTS,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: user,
      title: 'Buy milk',
      created_at: expect.stringMatching(ISO_MS),
      updated_at: expect.stringMatching(ISO_MS),
      version: 1,
      parent_id: null,
      position: expect.any(String),
      last_completed_at: null,
      list_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // ...and the defaults the contract names.
    expect(res.body).toMatchObject({
      description: null,
      completed: false,
      priority: 'medium',
      due_date: null,
      tags: [],
    });
    expect(res.headers.location).toBe(`/api/tasks/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
  });

  it('stores every writable field, normalised', async () => {
    const res = await as(t.app, newUser())
      .post('/api/tasks')
      .send({
        title: '  Plan trip  ',
        description: 'Book hotel',
        completed: true,
        priority: 'high',
        due_date: '2026-12-01T18:30:00.5+01:00',
        tags: [' Travel', 'travel', 'FAMILY '],
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'Plan trip',
      description: 'Book hotel',
      completed: true,
      priority: 'high',
      due_date: '2026-12-01T17:30:00.500Z',
      tags: ['travel', 'family'],
    });
  });
});

describe('GET /api/tasks/{id}', () => {
  it('returns the task with its ETag, and 304 for a matching If-None-Match', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 'Read' });
    const res = await api.get(`/api/tasks/${task.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(task);
    expect(res.headers.etag).toBe('"1"');

    const cached = await api.get(`/api/tasks/${task.id}`).set('If-None-Match', '"1"');
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
    expect((await api.get(`/api/tasks/${task.id}`).set('If-None-Match', 'W/"1"')).status).toBe(304);
    expect((await api.get(`/api/tasks/${task.id}`).set('If-None-Match', '"7", "1"')).status).toBe(304);

    const stale = await api.get(`/api/tasks/${task.id}`).set('If-None-Match', '"2"');
    expect(stale.status).toBe(200);
    expect(stale.body.id).toBe(task.id);
  });

  it('is 400 for a malformed id and 404 for an unknown one', async () => {
    const api = as(t.app, newUser());
    const bad = await api.get('/api/tasks/not-a-uuid');
    expectProblem(bad, 400);
    expect(bad.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    expectProblem(await api.get('/api/tasks/00000000-0000-4000-8000-000000000000'), 404);
  });
});

describe('PUT /api/tasks/{id}', () => {
  it('replaces every writable field, resetting absent ones to defaults', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({
      title: 'Old',
      description: 'd',
      priority: 'high',
      tags: ['x'],
      due_date: '2026-01-01T00:00:00Z',
    });
    const res = await api.put(`/api/tasks/${task.id}`).send({ title: 'New' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: task.id,
      title: 'New',
      description: null,
      completed: false,
      priority: 'medium',
      due_date: null,
      tags: [],
      version: 2,
      created_at: task.created_at,
    });
    expect(res.headers.etag).toBe('"2"');
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(task.updated_at));
  });

  it('requires a title', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 'A' });
    const res = await api.put(`/api/tasks/${task.id}`).send({ priority: 'low' });
    expectProblem(res, 400);
    expect((await api.get(`/api/tasks/${task.id}`)).body).toEqual(task);
  });
});

describe('PATCH /api/tasks/{id}', () => {
  it('changes only the given fields and bumps the version', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api
      .post('/api/tasks')
      .send({ title: 'Keep', description: 'keep me', priority: 'low', tags: ['a'] });
    const res = await api.patch(`/api/tasks/${task.id}`).send({ priority: 'high' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...task, priority: 'high', version: 2, updated_at: res.body.updated_at });
    expect(res.headers.etag).toBe('"2"');
  });

  it('clears description and due_date with null but rejects null elsewhere', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api
      .post('/api/tasks')
      .send({ title: 'T', description: 'd', due_date: '2030-01-01T00:00:00Z' });
    const cleared = await api.patch(`/api/tasks/${task.id}`).send({ description: null, due_date: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ description: null, due_date: null });

    for (const field of ['title', 'completed', 'priority', 'tags']) {
      const res = await api.patch(`/api/tasks/${task.id}`).send({ [field]: null });
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    expect((await api.get(`/api/tasks/${task.id}`)).body.version).toBe(2);
  });

  it('with an empty body changes nothing', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 'Same' });
    const res = await api.patch(`/api/tasks/${task.id}`).send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual(task);
  });
});

describe('PATCH /api/tasks/{id}/complete', () => {
  it('toggles without a body', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 'Toggle' });
    const on = await api.patch(`/api/tasks/${task.id}/complete`);
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ completed: true, version: 2 });
    expect(on.headers.etag).toBe('"2"');
    const off = await api.patch(`/api/tasks/${task.id}/complete`);
    expect(off.body).toMatchObject({ completed: false, version: 3 });
  });

  it('sets the value given in the body, idempotently', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 'Set' });
    for (let i = 0; i < 2; i++) {
      const res = await api.patch(`/api/tasks/${task.id}/complete`).send({ completed: true });
      expect(res.status).toBe(200);
      expect(res.body.completed).toBe(true);
    }
    const res = await api.patch(`/api/tasks/${task.id}/complete`).send({ completed: false });
    expect(res.body.completed).toBe(false);
  });

  it('rejects a non-boolean or unknown field', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 'Set' });
    expectProblem(await api.patch(`/api/tasks/${task.id}/complete`).send({ completed: 'yes' }), 400);
    expectProblem(await api.patch(`/api/tasks/${task.id}/complete`).send({ done: true }), 400);
    expect((await api.get(`/api/tasks/${task.id}`)).body.completed).toBe(false);
  });

  it('is 404 for an unknown task', async () => {
    expectProblem(
      await as(t.app, newUser()).patch('/api/tasks/00000000-0000-4000-8000-000000000000/complete'),
      404,
    );
  });
});

describe('DELETE /api/tasks/{id}', () => {
  it('deletes: 204, then 404', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 'Bye' });
    const res = await api.delete(`/api/tasks/${task.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectProblem(await api.get(`/api/tasks/${task.id}`), 404);
    expectProblem(await api.delete(`/api/tasks/${task.id}`), 404);
  });
});

describe('GET /api/tasks', () => {
  async function seed(api: ReturnType<typeof as>) {
    const made = [];
    for (const t of [
      { title: 'banana', priority: 'low', due_date: '2030-03-01T00:00:00Z' },
      { title: 'apple', priority: 'high', completed: true },
      { title: 'cherry', priority: 'medium', due_date: '2030-01-01T00:00:00Z' },
      { title: 'date', priority: 'high', due_date: '2030-02-01T00:00:00Z', completed: true },
    ]) {
      made.push((await api.post('/api/tasks').send(t)).body);
    }
    return made;
  }
  const titles = (res: { body: { title: string }[] }) => res.body.map((t) => t.title);
  // Creation order as the server recorded it: created_at, then id, so equal timestamps cannot flake.
  const byCreation = (made: { title: string; created_at: string; id: string }[]) =>
    [...made].sort((a, b) => cmp(a.created_at, b.created_at) || cmp(a.id, b.id)).map((t) => t.title);

  it('lists newest first by default with X-Total-Count', async () => {
    const api = as(t.app, newUser());
    const made = await seed(api);
    const res = await api.get('/api/tasks');
    expect(res.status).toBe(200);
    expect(titles(res)).toEqual(byCreation(made).reverse());
    expect(res.headers['x-total-count']).toBe('4');
  });

  it('filters by status', async () => {
    const api = as(t.app, newUser());
    await seed(api);
    const pending = await api.get('/api/tasks?status=pending');
    expect(titles(pending).sort()).toEqual(['banana', 'cherry']);
    expect(pending.headers['x-total-count']).toBe('2');
    const done = await api.get('/api/tasks?status=completed');
    expect(titles(done).sort()).toEqual(['apple', 'date']);
    expect((await api.get('/api/tasks?status=all')).body).toHaveLength(4);
  });

  it('lists each task exactly as GET /api/tasks/{id} shows it, whichever way the listing counts', async () => {
    const api = as(t.app, newUser());
    const made = await seed(api);
    const shown = new Map<string, unknown>();
    for (const { id } of made) shown.set(id, (await api.get(`/api/tasks/${id}`).expect(200)).body);
    const inbox = made[0].list_id;
    // The counters (all, a status), a filtered count, and one list's count with its member check.
    for (const query of ['', '?status=completed', '?status=pending', '?priority=high', `?list_id=${inbox}`]) {
      const res = await api.get(`/api/tasks${query}`).expect(200);
      expect({ query, tasks: res.body }).toEqual({
        query,
        tasks: res.body.map((x: { id: string }) => shown.get(x.id)),
      });
      expect(res.body.length).toBeGreaterThan(0);
    }
  });

  it('sorts by each key with its default and explicit order', async () => {
    const api = as(t.app, newUser());
    const made = await seed(api);
    expect(titles(await api.get('/api/tasks?sort=title'))).toEqual(['apple', 'banana', 'cherry', 'date']);
    expect(titles(await api.get('/api/tasks?sort=title&order=desc'))).toEqual([
      'date',
      'cherry',
      'banana',
      'apple',
    ]);
    // Soonest first; tasks without a due date last in both directions.
    expect(titles(await api.get('/api/tasks?sort=due_date'))).toEqual(['cherry', 'date', 'banana', 'apple']);
    expect(titles(await api.get('/api/tasks?sort=due_date&order=desc'))).toEqual([
      'banana',
      'date',
      'cherry',
      'apple',
    ]);
    // High first; ties broken by id in the same direction.
    const byId = (a: string, b: string) => (a < b ? -1 : 1);
    const highs = made.filter((t) => t.priority === 'high').map((t) => t.id);
    const res = await api.get('/api/tasks?sort=priority');
    expect(res.body.map((t: { id: string }) => t.id)).toEqual([
      ...[...highs].sort(byId).reverse(),
      made[2].id,
      made[0].id,
    ]);
    const asc = await api.get('/api/tasks?sort=priority&order=asc');
    expect(asc.body.map((t: { id: string }) => t.id)).toEqual([
      made[0].id,
      made[2].id,
      ...[...highs].sort(byId),
    ]);
    expect(titles(await api.get('/api/tasks?sort=created_at&order=asc'))).toEqual(byCreation(made));
  });

  it('orders by updated_at, most recent first', async () => {
    const api = as(t.app, newUser());
    const made = await seed(api);
    await api.patch(`/api/tasks/${made[0].id}`).send({ title: 'banana!' });
    expect(titles(await api.get('/api/tasks?sort=updated_at'))[0]).toBe('banana!');
  });

  it('limits the page but counts every match', async () => {
    const api = as(t.app, newUser());
    const made = await seed(api);
    const res = await api.get('/api/tasks?limit=2');
    expect(titles(res)).toEqual(byCreation(made).reverse().slice(0, 2));
    expect(res.headers['x-total-count']).toBe('4');
  });

  it('is empty for a user without tasks', async () => {
    const res = await as(t.app, newUser()).get('/api/tasks');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(res.headers['x-total-count']).toBe('0');
  });
});

describe('GET /api/tasks/stats', () => {
  it('counts total, pending, completed and overdue', async () => {
    const api = as(t.app, newUser());
    expect((await api.get('/api/tasks/stats')).body).toEqual({
      total: 0,
      pending: 0,
      completed: 0,
      overdue: 0,
    });
    await api.post('/api/tasks').send({ title: 'late', due_date: '2020-01-01T00:00:00Z' });
    await api
      .post('/api/tasks')
      .send({ title: 'late but done', due_date: '2020-01-01T00:00:00Z', completed: true });
    await api.post('/api/tasks').send({ title: 'future', due_date: '2999-01-01T00:00:00Z' });
    await api.post('/api/tasks').send({ title: 'no date' });
    const res = await api.get('/api/tasks/stats');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total: 4, pending: 3, completed: 1, overdue: 1 });
  });
});

describe('GET /api/me', () => {
  it('returns the caller from the token', async () => {
    const user = newUser();
    const res = await as(t.app, user).get('/api/me');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: user, email: null, name: null });
  });
});

describe('/api/{user_id}/tasks (the original path shape)', () => {
  it('serves every route for the caller', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const base = `/api/${user}/tasks`;
    const created = await api.post(base).send({ title: 'Alias' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${base}/${created.body.id}`);
    const id = created.body.id as string;
    expect((await api.get(base)).body.map((t: { id: string }) => t.id)).toEqual([id]);
    expect((await api.get(`${base}/${id}`)).body.title).toBe('Alias');
    expect((await api.get(`${base}/stats`)).body.total).toBe(1);
    expect((await api.put(`${base}/${id}`).send({ title: 'Put' })).body.title).toBe('Put');
    expect((await api.patch(`${base}/${id}`).send({ priority: 'low' })).body.priority).toBe('low');
    expect((await api.patch(`${base}/${id}/complete`)).body.completed).toBe(true);
    expect((await api.delete(`${base}/${id}`)).status).toBe(204);
  });

  it("is 403 for another user's path, on every route", async () => {
    const owner = newUser();
    const { body: task } = await as(t.app, owner).post('/api/tasks').send({ title: 'Mine' });
    const intruder = as(t.app, newUser());
    const base = `/api/${owner}/tasks`;
    for (const res of [
      await intruder.get(base),
      await intruder.post(base).send({ title: 'x' }),
      await intruder.get(`${base}/stats`),
      await intruder.get(`${base}/${task.id}`),
      await intruder.put(`${base}/${task.id}`).send({ title: 'x' }),
      await intruder.patch(`${base}/${task.id}`).send({ title: 'x' }),
      await intruder.patch(`${base}/${task.id}/complete`),
      await intruder.delete(`${base}/${task.id}`),
    ]) {
      expectProblem(res, 403);
    }
    expect((await as(t.app, owner).get(`/api/tasks/${task.id}`)).body).toEqual(task);
  });
});
