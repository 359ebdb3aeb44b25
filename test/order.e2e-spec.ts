import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations/index.js';
import { OrderAndSubtasks1796000000000 } from '../migrations/1796000000000-OrderAndSubtasks.js';
import { queryOnce } from './helpers/pg.js';
import { as, expectProblem, fieldsOf, listAll, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { TasksService } from '../src/tasks/tasks.service.js';
import { keyBetween, sqlKeyBefore } from '../src/tasks/positions.js';
import { FIRST, TasksRepository } from '../src/tasks/tasks.repository.js';
import { withDefaults } from '../src/tasks/task.schema.js';

// Manual order and subtasks (contract: Task, Routes, Listing, "Order and subtasks").
const t = useTestApp();

type Api = ReturnType<typeof as>;
const create = async (api: Api, body: Record<string, unknown>): Promise<Task> => {
  const res = await api.post('/api/tasks').send(body);
  expect(res.status).toBe(201);
  return res.body as Task;
};
/** Titles of a list in manual order (`parent`: a task id, or none). */
const order = async (api: Api, parent = 'none'): Promise<string[]> => {
  const res = await api.get(`/api/tasks?sort=position&parent_id=${parent}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.map((task: Task) => task.title);
};

describe('positions on create', () => {
  it('puts a new task first among its siblings, or right after `after`', async () => {
    const api = as(t.app, newUser());
    const a = await create(api, { title: 'a' });
    await create(api, { title: 'b' });
    await create(api, { title: 'c', after: a.id });
    await create(api, { title: 'd', after: null });
    expect(await order(api)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('creates subtasks under a top-level task, in their own list', async () => {
    const api = as(t.app, newUser());
    const parent = await create(api, { title: 'trip' });
    const one = await create(api, { title: 'pack', parent_id: parent.id });
    await create(api, { title: 'tickets', parent_id: parent.id, after: one.id });
    expect(one.parent_id).toBe(parent.id);
    expect(await order(api, parent.id)).toEqual(['pack', 'tickets']);
    expect(await order(api)).toEqual(['trip']);
    const all = await api.get('/api/tasks');
    expect(all.headers['x-total-count']).toBe('3');
    expect((await api.get('/api/tasks/stats')).body).toEqual(expect.objectContaining({ total: 3 }));
  });

  it.each<[string, (ids: { sub: string; foreign: string; top: string }) => Record<string, unknown>, string]>([
    ['an unknown parent', () => ({ parent_id: '00000000-0000-4000-8000-000000000000' }), 'parent_id'],
    ["another user's task as parent", ({ foreign }) => ({ parent_id: foreign }), 'parent_id'],
    ['a subtask as parent', ({ sub }) => ({ parent_id: sub }), 'parent_id'],
    ['`after` that is not a sibling (a subtask, at the top level)', ({ sub }) => ({ after: sub }), 'after'],
    ['`after` under another parent', ({ top }) => ({ parent_id: top, after: top }), 'after'],
    ["another user's task as `after`", ({ foreign }) => ({ after: foreign }), 'after'],
    ['a parent id that is not a UUID', () => ({ parent_id: 'nope' }), 'parent_id'],
    ['a position', () => ({ position: 'a0' }), 'position'],
  ])('is 400 naming the field for %s, and creates nothing', async (_, body, field) => {
    const user = newUser();
    const api = as(t.app, user);
    const top = await create(api, { title: 'top' });
    const sub = await create(api, { title: 'sub', parent_id: top.id });
    const foreign = await create(as(t.app, newUser()), { title: 'theirs' });
    const res = await api
      .post('/api/tasks')
      .send({ title: 'x', ...body({ sub: sub.id, foreign: foreign.id, top: top.id }) });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual([field]);
    expect((await api.get('/api/tasks')).headers['x-total-count']).toBe('2');
  });

  it('takes parent_id and position from PUT and PATCH as unknown fields, and PUT keeps both', async () => {
    const api = as(t.app, newUser());
    const top = await create(api, { title: 'top' });
    const sub = await create(api, { title: 'sub', parent_id: top.id });
    for (const field of ['parent_id', 'position', 'after']) {
      expect(fieldsOf(await api.patch(`/api/tasks/${sub.id}`).send({ [field]: null }))).toEqual([field]);
      expect(fieldsOf(await api.put(`/api/tasks/${sub.id}`).send({ title: 'x', [field]: null }))).toEqual([
        field,
      ]);
    }
    const replaced = await api.put(`/api/tasks/${sub.id}`).send({ title: 'renamed' });
    expect(replaced.body).toEqual(
      expect.objectContaining({ parent_id: top.id, position: sub.position, version: 2 }),
    );
  });
});

describe('listing by position and parent', () => {
  it('pages a list in manual order with keyset cursors', async () => {
    const api = as(t.app, newUser());
    for (let i = 0; i < 25; i++) await create(api, { title: `t${String(i).padStart(2, '0')}` });
    const titles = (await listAll(api, '/api/tasks?sort=position&parent_id=none&limit=10')).map(
      (t) => t.title,
    );
    expect(titles).toEqual(Array.from({ length: 25 }, (_, i) => `t${String(24 - i).padStart(2, '0')}`));
    const desc = await api.get('/api/tasks?sort=position&order=desc&limit=1');
    expect(desc.body[0].title).toBe('t00');
  });

  it('is 400 for a parent_id that is neither a UUID nor none', async () => {
    const res = await as(t.app, newUser()).get('/api/tasks?parent_id=top');
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['parent_id']);
  });
});

describe('POST /api/tasks/{id}/move', () => {
  it('places a task after a sibling or first, in one write: version +1, new ETag', async () => {
    const api = as(t.app, newUser());
    const c = await create(api, { title: 'c' });
    const b = await create(api, { title: 'b' });
    const a = await create(api, { title: 'a' });
    const moved = await api.post(`/api/tasks/${a.id}/move`).send({ after: c.id });
    expect(moved.status).toBe(200);
    expect(moved.body.version).toBe(2);
    expect(moved.headers.etag).toBe('"2"');
    expect(await order(api)).toEqual(['b', 'c', 'a']);
    await api.post(`/api/tasks/${c.id}/move`).send({}).expect(200);
    expect(await order(api)).toEqual(['c', 'b', 'a']);
    await api.post(`/api/tasks/${a.id}/move`).send({ after: null }).expect(200);
    expect(await order(api)).toEqual(['a', 'c', 'b']);
    expect((await api.get(`/api/tasks/${b.id}`)).body.version).toBe(1);
  });

  it('re-parents: under a top-level task, and back to the top level', async () => {
    const api = as(t.app, newUser());
    const parent = await create(api, { title: 'parent' });
    const task = await create(api, { title: 'task' });
    const under = await api.post(`/api/tasks/${task.id}/move`).send({ parent_id: parent.id });
    expect(under.body.parent_id).toBe(parent.id);
    expect(await order(api, parent.id)).toEqual(['task']);
    expect(await order(api)).toEqual(['parent']);
    const back = await api.post(`/api/tasks/${task.id}/move`).send({ parent_id: null, after: parent.id });
    expect(back.body).toEqual(expect.objectContaining({ parent_id: null, version: 3 }));
    expect(await order(api)).toEqual(['parent', 'task']);
  });

  it('reorders subtasks among themselves without naming their parent', async () => {
    const api = as(t.app, newUser());
    const parent = await create(api, { title: 'parent' });
    const b = await create(api, { title: 'b', parent_id: parent.id });
    const a = await create(api, { title: 'a', parent_id: parent.id });
    await api.post(`/api/tasks/${a.id}/move`).send({ after: b.id }).expect(200);
    expect(await order(api, parent.id)).toEqual(['b', 'a']);
    await api.post(`/api/tasks/${a.id}/move`).send({}).expect(200);
    expect(await order(api, parent.id)).toEqual(['a', 'b']);
  });

  it('honours If-Match: a stale tag is 412 and nothing moves', async () => {
    const api = as(t.app, newUser());
    const b = await create(api, { title: 'b' });
    const a = await create(api, { title: 'a' });
    const stale = await api.post(`/api/tasks/${a.id}/move`).set('If-Match', '"7"').send({ after: b.id });
    expectProblem(stale, 412);
    expect(stale.headers.etag).toBe('"1"');
    expect(await order(api)).toEqual(['a', 'b']);
    await api.post(`/api/tasks/${a.id}/move`).set('If-Match', '"1"').send({ after: b.id }).expect(200);
    expect(await order(api)).toEqual(['b', 'a']);
  });

  it.each<[string, (ids: Record<string, string>) => [string, Record<string, unknown>], number, string?]>([
    ['under itself', (i) => [i.top, { parent_id: i.top }], 400, 'parent_id'],
    ['under its own subtask', (i) => [i.top, { parent_id: i.sub }], 400, 'parent_id'],
    ['a task with subtasks under another task', (i) => [i.top, { parent_id: i.other }], 400, 'parent_id'],
    ['under a subtask', (i) => [i.other, { parent_id: i.sub }], 400, 'parent_id'],
    ["under another user's task", (i) => [i.other, { parent_id: i.foreign }], 400, 'parent_id'],
    [
      'under an unknown task',
      (i) => [i.other, { parent_id: '00000000-0000-4000-8000-000000000000' }],
      400,
      'parent_id',
    ],
    ['after itself', (i) => [i.other, { after: i.other }], 400, 'after'],
    ['after a task of another list', (i) => [i.other, { after: i.sub }], 400, 'after'],
    ["after another user's task", (i) => [i.other, { after: i.foreign }], 400, 'after'],
    ['with an unknown field', (i) => [i.other, { position: 'a0' }], 400, 'position'],
    ["another user's task", (i) => [i.foreign, {}], 404, undefined],
    ['an unknown task', () => ['00000000-0000-4000-8000-000000000000', {}], 404, undefined],
  ])('moving %s: the problem, and nothing changes', async (_, make, status, field) => {
    const api = as(t.app, newUser());
    const other = await create(api, { title: 'other' });
    const top = await create(api, { title: 'top' });
    const sub = await create(api, { title: 'sub', parent_id: top.id });
    const foreign = await create(as(t.app, newUser()), { title: 'theirs' });
    const before = (await api.get('/api/tasks?sort=position')).body;
    const [id, body] = make({ top: top.id, sub: sub.id, other: other.id, foreign: foreign.id });
    const res = await api.post(`/api/tasks/${id}/move`).send(body);
    expectProblem(res, status);
    if (field) expect(fieldsOf(res)).toEqual([field]);
    expect((await api.get('/api/tasks?sort=position')).body).toEqual(before);
  });

  it('answers under /api/{user_id}/tasks too', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const b = await create(api, { title: 'b' });
    const a = await create(api, { title: 'a' });
    await api.post(`/api/${user}/tasks/${a.id}/move`).send({ after: b.id }).expect(200);
    expect(await order(api)).toEqual(['b', 'a']);
  });
});

describe('deleting and clearing', () => {
  it('deleting a parent deletes its subtasks, and the counts follow', async () => {
    const api = as(t.app, newUser());
    const parent = await create(api, { title: 'parent' });
    const sub = await create(api, { title: 'sub', parent_id: parent.id });
    await create(api, { title: 'alone' });
    await api.delete(`/api/tasks/${parent.id}`).expect(204);
    expect((await api.get(`/api/tasks/${sub.id}`)).status).toBe(404);
    expect((await api.get('/api/tasks/stats')).body.total).toBe(1);
  });

  it('DELETE /api/tasks?status=completed deletes completed tasks with all their subtasks, and counts them', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const done = await create(api, { title: 'done', completed: true });
    await create(api, { title: 'pending sub of done', parent_id: done.id });
    const open = await create(api, { title: 'open' });
    await create(api, { title: 'done sub of open', parent_id: open.id, completed: true });
    await create(api, { title: 'open sub of open', parent_id: open.id });
    const foreign = as(t.app, newUser());
    await create(foreign, { title: 'theirs', completed: true });
    const res = await api.delete('/api/tasks?status=completed');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 3 });
    expect(await order(api)).toEqual(['open']);
    expect(await order(api, open.id)).toEqual(['open sub of open']);
    expect((await api.get('/api/tasks/stats')).body).toEqual(
      expect.objectContaining({ total: 2, completed: 0 }),
    );
    expect((await foreign.get('/api/tasks')).body).toHaveLength(1);
    expect((await api.delete('/api/tasks?status=completed')).body).toEqual({ deleted: 0 });
    expect((await api.delete(`/api/${user}/tasks?status=completed`)).body).toEqual({ deleted: 0 });
  });

  it.each(['', '?status=pending', '?status=all', '?status=completed&priority=high', '?completed=true'])(
    'DELETE /api/tasks%s is 400 and deletes nothing',
    async (query) => {
      const api = as(t.app, newUser());
      await create(api, { title: 'done', completed: true });
      expectProblem(await api.delete(`/api/tasks${query}`), 400);
      expect((await api.get('/api/tasks/stats')).body.total).toBe(1);
    },
  );
});

describe('concurrency', () => {
  it('16 concurrent movers and creators on the same siblings: no 500, distinct positions, a total order', async () => {
    const api = as(t.app, newUser());
    const tasks: Task[] = [];
    for (let i = 0; i < 8; i++) tasks.push(await create(api, { title: `seed ${i}` }));
    const statuses = await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const seen: number[] = [];
        for (let i = 0; i < 6; i++) {
          const target = tasks[(w + i) % 8];
          const after = tasks[(w * 3 + i + 1) % 8];
          const res =
            w % 4 === 0
              ? await api.post('/api/tasks').send({ title: `new ${w}.${i}`, after: after.id })
              : await api
                  .post(`/api/tasks/${target.id}/move`)
                  .send({ after: w % 3 === 0 || after.id === target.id ? null : after.id });
          seen.push(res.status);
        }
        return seen;
      }),
    );
    for (const s of statuses.flat()) expect([200, 201, 409]).toContain(s);
    const all = (await api.get('/api/tasks?sort=position&parent_id=none&limit=100')).body as Task[];
    expect(all).toHaveLength(8 + 4 * 6);
    const positions = all.map((task) => task.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect([...positions].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1))).toEqual(positions);
  });
});

describe('moves racing deletes and clears', () => {
  it('answer 200, 404 or 409, never 500, and leave a consistent list', async () => {
    const api = as(t.app, newUser());
    const tasks: Task[] = [];
    for (let i = 0; i < 20; i++) tasks.push(await create(api, { title: `t${i}`, completed: i % 2 === 0 }));
    const anchor = await create(api, { title: 'anchor' });
    const statuses = await Promise.all(
      tasks.flatMap((task, i) => [
        api
          .post(`/api/tasks/${task.id}/move`)
          .send({ after: anchor.id })
          .then((r) => r.status),
        (i % 4 === 0 ? api.delete('/api/tasks?status=completed') : api.delete(`/api/tasks/${task.id}`)).then(
          (r) => r.status,
        ),
      ]),
    );
    for (const s of statuses) expect([200, 204, 404, 409]).toContain(s);
    const left = (await api.get('/api/tasks?sort=position&parent_id=none&limit=100')).body as Task[];
    expect(left.map((task) => task.title)).toContain('anchor');
    expect((await api.get('/api/tasks/stats')).body.total).toBe(left.length);
  });
});

describe('10 000 moves in one list', () => {
  it('keep every key at most 64 characters and the order exactly as moved', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const service = t.app.get(TasksService);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.unshift((await create(api, { title: `t${i}` })).id);
    // The model: the list in order. Random moves, then long runs of dragging into one gap.
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const model = [...ids];
    let longest = 0;
    const move = async (id: string, after: string | null) => {
      const task = await service.move(user, id, { after });
      longest = Math.max(longest, task.position.length);
      model.splice(model.indexOf(id), 1);
      model.splice(after === null ? 0 : model.indexOf(after) + 1, 0, id);
    };
    for (let i = 0; i < 5000; i++) {
      const id = model[random(model.length)];
      const after = random(10) === 0 ? null : model[random(model.length)];
      await move(id, after === id ? null : after);
    }
    // Dragging task after task into the gap right after the same anchor: the worst case for keys.
    for (let i = 0; i < 5000; i++) {
      const anchor = model[10 + (Math.floor(i / 1000) % 5)];
      const id = model[(model.indexOf(anchor) + 2 + (i % 7)) % model.length];
      await move(id, id === anchor ? null : anchor);
    }
    const listed = (await api.get('/api/tasks?sort=position&parent_id=none&limit=100')).body as Task[];
    expect(listed.map((task) => task.id)).toEqual(model);
    const lengths = listed.map((task) => task.position.length);
    expect(Math.max(...lengths, longest)).toBeLessThanOrEqual(64);
  }, 300_000);
});

describe('the key before the first, in SQL', () => {
  it('is a valid key below the first, barely longer than its integer part, and made for most keys', async () => {
    // Keys as lists really get them: thousands of prepends (borrows included), appends, keys with
    // fractions from moves into gaps, and what this very function makes.
    const keys = new Set<string>();
    let first = 'a0';
    let last = 'a0';
    for (let i = 0; i < 5000; i++) keys.add((first = keyBetween(null, first)));
    for (let i = 0; i < 5000; i++) keys.add((last = keyBetween(last, null)));
    let gap = 'a0';
    for (let i = 0; i < 200; i++) keys.add((gap = keyBetween('a0', gap === 'a0' ? 'a1' : gap)));
    for (const k of [...keys].slice(0, 300)) keys.add(keyBetween(k, null) + 'V');
    const list = [...keys];
    const rows: { b: string; k: string | null; k2: string | null }[] = await t.db.query(
      `SELECT b, k, ${sqlKeyBefore('k')} AS k2 FROM (SELECT b, ${sqlKeyBefore('b')} AS k FROM unnest($1::text[]) AS b) s`,
      [list],
    );
    let made = 0;
    const below = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
    for (const { b, k, k2 } of rows) {
      if (k === null) continue;
      made++;
      expect([b, k, below(k, b)]).toEqual([b, k, true]);
      // The library takes it as a key on either side (it validates both bounds).
      expect(() => keyBetween(k, b)).not.toThrow();
      expect(() => keyBetween(null, k)).not.toThrow();
      const head = b.charCodeAt(0);
      expect(k.length).toBe((head >= 97 ? head - 95 : 92 - head) + 2);
      if (k2 !== null) expect([k2, below(k2, k)]).toEqual([k2, true]);
    }
    expect(made / rows.length).toBeGreaterThan(0.9);
    expect((await t.db.query(`SELECT ${sqlKeyBefore('NULL::text')} AS k`))[0].k).toBe('a0');
  });
});

describe('the plain create', () => {
  it('reads the first key once: one index probe of tasks per create', async () => {
    const user = newUser();
    const api = as(t.app, user);
    for (const title of ['a', 'b', 'c']) await create(api, { title });
    const statement = t.app
      .get(TasksRepository)
      .insertStatement(user, null, withDefaults({ title: 'explained' }), null, FIRST);
    const runner = t.db.createQueryRunner();
    await runner.connect();
    let plan: string;
    try {
      await runner.startTransaction();
      const rows: { 'QUERY PLAN': string }[] = await runner.query(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${statement.text}`,
        statement.values,
      );
      plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    // Every scan of tasks that ran (not "never executed"), and how often.
    const scans = plan
      .split('\n')
      .filter((line) => /Scan.* on tasks\b/.test(line) && !/never executed/.test(line))
      .map((line) => Number(/loops=(\d+)/.exec(line)?.[1]));
    expect({ scans, plan }).toEqual({ scans: [1], plan });
    // It inserted (rolled back): the key was made in SQL, not left to the locked path. (PostgreSQL 18
    // prints actual rows with two decimals.)
    expect(plan).toMatch(/Insert on tasks \(actual rows=1(\.00)? loops=1\)/);
  });
});

describe('the OrderAndSubtasks migration', () => {
  it('gives existing tasks positions newest first, per user, as keys the library continues', async () => {
    const direct = process.env.E2E_DIRECT_DATABASE_URL!;
    const database = `tasks_order_${randomBytes(4).toString('hex')}`;
    const url = Object.assign(new URL(direct), { pathname: `/${database}` }).toString();
    const at = MIGRATIONS.indexOf(OrderAndSubtasks1796000000000);
    const migrated = async (migrations: typeof MIGRATIONS) => {
      const source = new DataSource({ type: 'postgres', url, migrations, migrationsTransactionMode: 'all' });
      await source.initialize();
      await source.runMigrations();
      return source;
    };
    await queryOnce(direct, `CREATE DATABASE "${database}"`);
    try {
      const before = await migrated(MIGRATIONS.slice(0, at));
      await before.query(
        `INSERT INTO tasks (user_id, title, created_at)
         SELECT 'user-' || (n % 3), 'task ' || n, timestamptz '2026-01-01Z' + ((n * 37) % 100) * interval '1 minute'
           FROM generate_series(0, 99) AS n`,
      );
      await before.destroy();
      const after = await migrated(MIGRATIONS);
      const rows: { user_id: string; title: string; position: string; newest: string }[] = await after.query(
        `SELECT user_id, title, position,
                (array_agg(title) OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))[row_number() OVER (PARTITION BY user_id ORDER BY position)] AS newest
           FROM tasks ORDER BY user_id, position`,
      );
      await after.destroy();
      expect(rows).toHaveLength(100);
      for (const row of rows) expect(row.title).toBe(row.newest);
      // The keys are the library's: a new task goes before the first of each user.
      for (const first of rows.filter((r, i) => i === 0 || rows[i - 1].user_id !== r.user_id))
        expect(keyBetween(null, first.position) < first.position).toBe(true);
    } finally {
      await queryOnce(direct, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    }
  });
});
