import request from 'supertest';
import { as, useTestApp, expectProblem, fieldsOf } from './helpers/app.js';
import { newUser, tokenFor } from './helpers/tokens.js';

const t = useTestApp();

/** POSTs a task and, when it is rejected, proves nothing was created. */
async function create(body: unknown) {
  const api = as(t.app, newUser());
  const res = await api.post('/api/tasks').send(body as object);
  if (res.status !== 201) expect((await api.get('/api/tasks')).body).toEqual([]);
  return res;
}

describe('title', () => {
  it.each([
    ['missing', {}],
    ['empty', { title: '' }],
    ['only spaces', { title: '   ' }],
    ['201 characters', { title: 'x'.repeat(201) }],
    ['a number', { title: 42 }],
    ['null', { title: null }],
    ['an array', { title: ['a'] }],
  ])('is rejected when %s', async (_, body) => {
    const res = await create(body);
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['title']);
    expect(res.body.detail).toBe('Validation failed: title');
  });

  it('is trimmed before its length is checked', async () => {
    const res = await create({ title: `  ${'x'.repeat(200)}  ` });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('x'.repeat(200));
  });
});

describe('description', () => {
  it('accepts 1000 characters and null', async () => {
    expect((await create({ title: 't', description: 'd'.repeat(1000) })).status).toBe(201);
    expect((await create({ title: 't', description: null })).body.description).toBeNull();
  });

  it.each([
    ['1001 characters', 'd'.repeat(1001)],
    ['a number', 5],
    ['an object', { a: 1 }],
  ])('is rejected when %s', async (_, description) => {
    const res = await create({ title: 't', description });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['description']);
  });
});

describe('completed and priority', () => {
  it.each([
    ['completed', 'true'],
    ['completed', 1],
    ['completed', null],
    ['priority', 'urgent'],
    ['priority', 'HIGH'],
    ['priority', null],
  ])('rejects %s = %j (no coercion)', async (field, value) => {
    const res = await create({ title: 't', [field]: value });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual([field]);
  });
});

describe('due_date', () => {
  it.each([
    ['2026-12-01T17:00:00Z', '2026-12-01T17:00:00.000Z'],
    ['2026-12-01T18:00:00+01:00', '2026-12-01T17:00:00.000Z'],
    ['2026-12-01T12:00:00.123-05:00', '2026-12-01T17:00:00.123Z'],
    ['2026-12-01T17:00Z', '2026-12-01T17:00:00.000Z'],
    ['2026-12-01T22:30:00+0530', '2026-12-01T17:00:00.000Z'],
  ])('accepts %s and returns it in UTC', async (input, output) => {
    const res = await create({ title: 't', due_date: input });
    expect(res.status).toBe(201);
    expect(res.body.due_date).toBe(output);
  });

  it.each([
    ['no offset', '2026-12-01T17:00:00'],
    ['a date only', '2026-12-01'],
    ['an impossible date', '2026-02-30T10:00:00Z'],
    ['an impossible time', '2026-12-01T25:00:00Z'],
    ['free text', 'tomorrow'],
    ['a number', 1764608400000],
  ])('rejects %s', async (_, due_date) => {
    const res = await create({ title: 't', due_date });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['due_date']);
  });
});

describe('tags', () => {
  it('trims, lower-cases and de-duplicates before counting', async () => {
    const tags = [...Array(10).keys()].map((i) => `tag${i}`);
    const res = await create({ title: 't', tags: [...tags, ' TAG0 ', 'Tag1'] });
    expect(res.status).toBe(201);
    expect(res.body.tags).toEqual(tags);
  });

  it('accepts a tag of 32 characters', async () => {
    expect((await create({ title: 't', tags: ['a'.repeat(32)] })).status).toBe(201);
  });

  it.each([
    ['11 distinct tags', [...Array(11).keys()].map((i) => `t${i}`)],
    ['a tag of 33 characters', ['a'.repeat(33)]],
    ['an empty tag', ['ok', '  ']],
    ['a non-string tag', ['ok', 3]],
    ['a string instead of an array', 'work'],
    ['null', null],
  ])('rejects %s', async (_, tags) => {
    const res = await create({ title: 't', tags });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['tags']);
  });
});

describe('unknown and server-owned fields', () => {
  it.each(['id', 'user_id', 'version', 'created_at', 'updated_at', 'owner'])('rejects %s', async (field) => {
    const res = await create({ title: 't', [field]: 'x' });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field, message: 'is not a known field' }]);
  });

  it('names every bad field at once', async () => {
    const res = await create({ title: '', priority: 'x', tags: 'a', color: 'red' });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['color', 'priority', 'tags', 'title']);
  });

  it('rejects unknown fields on PATCH and PUT too', async () => {
    const api = as(t.app, newUser());
    const { body: task } = await api.post('/api/tasks').send({ title: 't' });
    expectProblem(await api.patch(`/api/tasks/${task.id}`).send({ user_id: 'someone-else' }), 400);
    expectProblem(await api.put(`/api/tasks/${task.id}`).send({ title: 't', version: 9 }), 400);
    expect((await api.get(`/api/tasks/${task.id}`)).body).toEqual(task);
  });
});

describe('NUL characters', () => {
  it.each([
    ['title', { title: 'a\u0000b' }],
    ['description', { title: 't', description: 'a\u0000' }],
    ['tags', { title: 't', tags: ['a\u0000'] }],
  ])('in %s are 400, not 500', async (field, body) => {
    const res = await create(body);
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual([field]);
  });
});

describe('the body itself', () => {
  const post = (user: string) =>
    request(t.app.getHttpServer())
      .post('/api/tasks')
      .set('Authorization', `Bearer ${tokenFor(user)}`);

  it('is 400 when it is not valid JSON', async () => {
    const res = await post(newUser()).set('Content-Type', 'application/json').send('{"title": "x",');
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The request body is not valid JSON');
  });

  it('is 400 when it is JSON but not an object', async () => {
    for (const body of ['[]', '[{"title":"x"}]', '"title"', '42', 'null']) {
      const res = await post(newUser()).set('Content-Type', 'application/json').send(body);
      expectProblem(res, 400);
    }
  });

  it('is 415 in another content type', async () => {
    const res = await post(newUser()).set('Content-Type', 'text/plain').send('title=x');
    expectProblem(res, 415);
    const form = await post(newUser()).type('form').send({ title: 'x' });
    expectProblem(form, 415);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'is 400 with a %s key, named like any unknown field, at any depth, and creates nothing',
    async (key) => {
      const user = newUser();
      const raw = `{"title": "t", "${key}": {"isAdmin": true}, "tags": ["a"]}`;
      const top = await post(user).set('Content-Type', 'application/json').send(raw);
      expectProblem(top, 400);
      expect(top.body.errors).toEqual([{ field: key, message: 'is not a known field' }]);
      const nested = await post(user)
        .set('Content-Type', 'application/json')
        .send(`{"title": "t", "extra": {"${key}": 1}}`);
      expectProblem(nested, 400);
      expect(fieldsOf(nested)).toEqual([`extra.${key}`]);
      expect((await as(t.app, user).get('/api/tasks')).body).toEqual([]);
    },
  );

  it('is 400, before any validation, when nested deeper than 32 levels (even in an unknown field)', async () => {
    const user = newUser();
    for (const depth of [33, 5000]) {
      const raw = `{"title": "t", "x": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
      const res = await post(user).set('Content-Type', 'application/json').send(raw);
      expectProblem(res, 400);
      expect(res.body.detail).toBe('The request body nests deeper than 32 levels');
    }
    // 32 levels is fine as JSON (then an unknown field), and brackets inside strings do not count.
    const ok = await post(user)
      .set('Content-Type', 'application/json')
      .send(`{"title": "${'['.repeat(100)}", "x": ${'['.repeat(31)}${']'.repeat(31)}}`);
    expect(ok.body.errors).toEqual([{ field: 'x', message: 'is not a known field' }]);
  });

  it('is 413 over 64 KiB, and fine just under', async () => {
    const user = newUser();
    const big = await post(user).send({ title: 't', description: 'x'.repeat(70 * 1024) });
    expectProblem(big, 413);
    const padded = JSON.stringify({ title: 't', description: 'd' }).padEnd(60 * 1024, ' ');
    const ok = await post(user).set('Content-Type', 'application/json').send(padded);
    expect(ok.status).toBe(201);
    expect((await as(t.app, user).get('/api/tasks')).body).toHaveLength(1);
  });
});

describe('list query parameters', () => {
  it.each([
    ['status', 'done'],
    ['sort', 'color'],
    ['order', 'up'],
    ['limit', '0'],
    ['limit', '101'],
    ['limit', 'ten'],
    ['limit', '5.5'],
    ['limit', '-1'],
  ])('rejects %s=%s', async (name, value) => {
    const res = await as(t.app, newUser()).get(`/api/tasks?${name}=${value}`);
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual([name]);
  });

  it('rejects an unknown parameter, naming it', async () => {
    const res = await as(t.app, newUser()).get('/api/tasks?stauts=pending');
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['stauts']);
  });

  it('accepts the limits 1 and 100', async () => {
    const api = as(t.app, newUser());
    expect((await api.get('/api/tasks?limit=1')).status).toBe(200);
    expect((await api.get('/api/tasks?limit=100')).status).toBe(200);
  });
});
