import { insertGeneratedTasks, VARIED_TASKS } from '../src/development/seed/generated-tasks.js';
import { as, useTestApp, expectProblem, fieldsOf } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

const t = useTestApp();

interface Row {
  id: string;
  title: string;
  priority: 'low' | 'medium' | 'high';
  due_date: string | null;
  created_at: string;
  updated_at: string;
  completed: boolean;
  tags: string[];
}
type Api = ReturnType<typeof as>;
type Sort = 'created_at' | 'updated_at' | 'title' | 'due_date' | 'priority';

const RANK = { low: 1, medium: 2, high: 3 };
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The contract's order, computed here independently of the server's SQL. */
function expectedOrder(rows: Row[], sort: Sort, order: 'asc' | 'desc'): string[] {
  const key = (r: Row): string | number => {
    if (sort === 'priority') return RANK[r.priority];
    if (sort === 'due_date')
      return r.due_date ? Date.parse(r.due_date) : order === 'asc' ? Infinity : -Infinity;
    if (sort === 'title') return r.title;
    return Date.parse(r[sort]);
  };
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => sign * (cmp(key(a), key(b)) || cmp(a.id, b.id))).map((r) => r.id);
}

/** Follows `Link: rel="next"` from `first` to the end; returns every id in order and the page count. */
async function walk(api: Api, first: string, between?: (page: number) => Promise<void>) {
  const ids: string[] = [];
  let url: string | undefined = first;
  let pages = 0;
  while (url) {
    const res = await api.get(url);
    expect(res.status).toBe(200);
    ids.push(...res.body.map((t: Row) => t.id));
    pages++;
    url = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
    if (url && between) await between(pages);
  }
  return { ids, pages };
}

/** `count` tasks for `user`, inserted in one statement, with repeated titles, priorities and timestamps. */
async function seed(user: string, count: number): Promise<Row[]> {
  await t.db.query(
    insertGeneratedTasks('generate_series(1, $2) AS n', {
      user_id: '$1',
      title: `'task' || lpad((n % 50)::text, 3, '0')`,
      priority: VARIED_TASKS.priority,
      due_date: `CASE WHEN n % 4 = 0 THEN NULL ELSE timestamptz '2030-01-01Z' + (n % 17) * interval '1 day' END`,
      completed: 'n % 5 = 0',
      tags: `CASE WHEN n % 2 = 0 THEN '{even}'::text[] ELSE '{}' END`,
      created_at: `timestamptz '2026-01-01Z' + (n / 3) * interval '1 minute'`,
      updated_at: `timestamptz '2026-06-01Z' + (n % 7) * interval '1 second'`,
      position: VARIED_TASKS.position,
    }),
    [user, count],
  );
  return allRows(user);
}

async function allRows(user: string): Promise<Row[]> {
  const rows: Row[] = await t.db.query(
    `SELECT id, title, priority, due_date, created_at, updated_at, completed, tags FROM tasks WHERE user_id = $1`,
    [user],
  );
  return rows.map((r) => ({
    ...r,
    due_date: r.due_date ? new Date(r.due_date).toISOString() : null,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  }));
}

describe('keyset paging', () => {
  let user: string;
  let rows: Row[];
  beforeAll(async () => {
    user = newUser();
    rows = await seed(user, 237);
  });

  it.each<[Sort, 'asc' | 'desc']>([
    ['created_at', 'desc'],
    ['created_at', 'asc'],
    ['updated_at', 'desc'],
    ['updated_at', 'asc'],
    ['title', 'asc'],
    ['title', 'desc'],
    ['due_date', 'asc'],
    ['due_date', 'desc'],
    ['priority', 'desc'],
    ['priority', 'asc'],
  ])('sort=%s order=%s: 237 tasks in pages of 10, each exactly once, in order', async (sort, order) => {
    const { ids, pages } = await walk(as(t.app, user), `/api/tasks?sort=${sort}&order=${order}&limit=10`);
    expect(pages).toBe(24);
    expect(ids).toEqual(expectedOrder(rows, sort, order));
  });

  it('uses the documented default order for each sort', async () => {
    const api = as(t.app, user);
    for (const [sort, order] of [
      ['created_at', 'desc'],
      ['updated_at', 'desc'],
      ['priority', 'desc'],
      ['title', 'asc'],
      ['due_date', 'asc'],
    ] as const) {
      const res = await api.get(`/api/tasks?sort=${sort}&limit=100`);
      expect(res.body.map((t: Row) => t.id)).toEqual(expectedOrder(rows, sort, order).slice(0, 100));
    }
  });

  it('counts every match in X-Total-Count and stops sending Link on the last page', async () => {
    const api = as(t.app, user);
    const first = await api.get('/api/tasks?limit=100');
    expect(first.headers['x-total-count']).toBe('237');
    expect(first.headers.link).toMatch(/^<\/api\/tasks\?limit=100&cursor=[^>]+>; rel="next"$/);
    const second = await api.get(/<([^>]+)>/.exec(first.headers.link)![1]);
    const third = await api.get(/<([^>]+)>/.exec(second.headers.link)![1]);
    expect([first.body.length, second.body.length, third.body.length]).toEqual([100, 100, 37]);
    expect(third.headers['x-total-count']).toBe('237');
    expect(third.headers.link).toBeUndefined();
  });

  it('keeps filters in the next link, and pages the filtered list', async () => {
    const { ids } = await walk(as(t.app, user), '/api/tasks?status=pending&tag=even&sort=due_date&limit=7');
    const expected = expectedOrder(
      rows.filter((r) => !r.completed && r.tags.includes('even')),
      'due_date',
      'asc',
    );
    expect(ids).toEqual(expected);
  });

  it('pages under /api/{user_id}/tasks too', async () => {
    const { ids } = await walk(as(t.app, user), `/api/${user}/tasks?limit=50`);
    expect(ids).toEqual(expectedOrder(rows, 'created_at', 'desc'));
  });
});

describe('changes between pages', () => {
  it('neither repeat nor skip the untouched tasks', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const original = expectedOrder(await seed(user, 60), 'created_at', 'desc');
    const deleted = new Set([original[3], original[25], original[26], original[59]]);
    const { ids } = await walk(api, '/api/tasks?limit=10', async (page) => {
      if (page !== 1) return;
      for (const id of deleted) expect((await api.delete(`/api/tasks/${id}`)).status).toBe(204);
      // New tasks: one newest (before the cursor), two in the middle of what is still to come.
      await api.post('/api/tasks').send({ title: 'brand new' });
      await t.db.query(
        `INSERT INTO tasks (user_id, title, created_at, position) SELECT $1, 'backdated', created_at, 'z' || id FROM tasks WHERE id = $2`,
        [user, original[30]],
      );
    });
    const untouched = original.filter((id) => !deleted.has(id));
    expect(ids.filter((id) => untouched.includes(id))).toEqual(untouched);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('filters', () => {
  let user: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    user = newUser();
    const api = as(t.app, user);
    const make = async (name: string, body: object) => {
      ids[name] = (await api.post('/api/tasks').send(body)).body.id;
    };
    await make('milk', {
      title: 'Buy MILK',
      priority: 'high',
      tags: ['home'],
      due_date: '2030-01-10T00:00:00Z',
    });
    await make('report', {
      title: 'Write report',
      description: 'quarterly numbers, add milk chart',
      priority: 'low',
      tags: ['work', 'q3'],
      due_date: '2030-01-20T00:00:00Z',
    });
    await make('done', {
      title: 'Done thing',
      completed: true,
      tags: ['home'],
      due_date: '2030-01-01T00:00:00Z',
    });
    await make('nodate', { title: 'Someday', priority: 'high' });
    await make('percent', { title: '100% done' });
    await make('underscore', { title: 'snake_case name' });
    await make('backslash', { title: 'C:\\temp' });
    await make('lookalike', { title: '100 percent, snakeXcase, C:temp' });
  });

  const find = async (query: string) => {
    const res = await as(t.app, user).get(`/api/tasks?${query}&sort=title`);
    expect(res.status).toBe(200);
    expect(res.headers['x-total-count']).toBe(String(res.body.length));
    return res.body.map((t: Row) => Object.keys(ids).find((k) => ids[k] === t.id)).sort();
  };

  it.each([
    ['status=pending', ['backslash', 'lookalike', 'milk', 'nodate', 'percent', 'report', 'underscore']],
    ['status=completed', ['done']],
    ['priority=high', ['milk', 'nodate']],
    ['priority=low', ['report']],
    ['tag=home', ['done', 'milk']],
    ['tag=%20HOME%20', ['done', 'milk']],
    ['tag=q3', ['report']],
    ['q=milk', ['milk', 'report']],
    ['q=MiLk', ['milk', 'report']],
    ['q=quarterly', ['report']],
    ['q=nothing-matches', []],
    ['due_after=2030-01-10T00:00:00Z', ['milk', 'report']],
    ['due_after=2030-01-10T00:00:00.001Z', ['report']],
    ['due_before=2030-01-10T00:00:00Z', ['done']],
    ['due_before=2030-01-10T00:00:00.001Z', ['done', 'milk']],
    ['due_after=2030-01-01T00:00:00Z&due_before=2030-01-20T00:00:00Z', ['done', 'milk']],
    ['due_after=2030-01-10T01:00:00%2B01:00', ['milk', 'report']],
    ['status=pending&tag=home', ['milk']],
    ['priority=high&q=buy', ['milk']],
    ['status=pending&priority=high&due_before=2031-01-01T00:00:00Z', ['milk']],
  ])('%s', async (query, expected) => {
    expect(await find(query)).toEqual(expected);
  });

  it.each([
    ['%25', ['percent']],
    ['0%25%20d', ['percent']],
    ['_', ['underscore']],
    ['e_c', ['underscore']],
    ['%5C', ['backslash']],
    ['C%3A%5Ct', ['backslash']],
  ])('q=%s matches LIKE wildcards literally', async (q, expected) => {
    expect(await find(`q=${q}`)).toEqual(expected);
  });

  it.each([
    ['priority=urgent', 'priority'],
    ['tag=', 'tag'],
    [`tag=${'x'.repeat(33)}`, 'tag'],
    ['q=', 'q'],
    [`q=${'x'.repeat(201)}`, 'q'],
    ['q=a%00b', 'q'],
    ['due_after=2030-01-01', 'due_after'],
    ['due_before=yesterday', 'due_before'],
    ['cursor=', 'cursor'],
  ])('rejects %s', async (query, field) => {
    const res = await as(t.app, user).get(`/api/tasks?${query}`);
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual([field]);
  });
});

describe('cursors', () => {
  let user: string;
  let cursor: string;
  beforeAll(async () => {
    user = newUser();
    await seed(user, 30);
    const res = await as(t.app, user).get('/api/tasks?status=pending&sort=title&limit=5');
    cursor = decodeURIComponent(/cursor=([^>&]+)/.exec(res.headers.link)![1]);
  });

  it('works with the listing it came from, whatever the page size', async () => {
    const api = as(t.app, user);
    expect((await api.get(`/api/tasks?status=pending&sort=title&limit=5&cursor=${cursor}`)).status).toBe(200);
    expect((await api.get(`/api/tasks?status=pending&sort=title&limit=9&cursor=${cursor}`)).status).toBe(200);
  });

  it.each([
    ['another sort', 'status=pending&sort=created_at'],
    ['another order', 'status=pending&sort=title&order=desc'],
    ['another filter', 'status=all&sort=title'],
    ['an added filter', 'status=pending&sort=title&priority=low'],
  ])('is 400 with %s', async (_, query) => {
    const res = await as(t.app, user).get(`/api/tasks?${query}&cursor=${cursor}`);
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['cursor']);
  });

  it('is 400 when tampered, cut or garbage, never 500', async () => {
    const [payload, sum] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forge = (value: unknown) => `${Buffer.from(JSON.stringify(value)).toString('base64url')}.${sum}`;
    const candidates = [
      'garbage',
      `${payload}.AAAAAAAAAAAA`,
      payload,
      cursor.slice(0, -3),
      `${cursor}.x`,
      forge([...decoded.slice(0, 3), "'; DROP TABLE tasks; --", decoded[4]]),
      forge([...decoded.slice(0, 4), 'not-a-uuid']),
      forge({}),
      `${Buffer.from('not json').toString('base64url')}.${sum}`,
    ];
    for (const bad of candidates) {
      const res = await as(t.app, user).get(
        `/api/tasks?status=pending&sort=title&cursor=${encodeURIComponent(bad)}`,
      );
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['cursor']);
    }
  });
});

describe('task counters (X-Total-Count without filters, stats)', () => {
  it('stay equal to the real counts through inserts, toggles, updates, deletes and bulk writes', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const made = [];
    for (let i = 0; i < 6; i++) made.push((await api.post('/api/tasks').send({ title: `t${i}` })).body);
    await api.patch(`/api/tasks/${made[0].id}/complete`);
    await api.patch(`/api/tasks/${made[1].id}`).send({ completed: true, title: 'renamed' });
    await api.put(`/api/tasks/${made[2].id}`).send({ title: 'replaced', completed: true });
    await api.patch(`/api/tasks/${made[2].id}/complete`).send({ completed: false });
    await api.delete(`/api/tasks/${made[3].id}`);
    await api.delete(`/api/tasks/${made[0].id}`);
    await seed(user, 25);
    await t.db.query(
      `UPDATE tasks SET completed = NOT completed WHERE user_id = $1 AND title LIKE 'task00%'`,
      [user],
    );
    await t.db.query(`DELETE FROM tasks WHERE user_id = $1 AND title LIKE 'task01%'`, [user]);

    const [real] = await t.db.query(
      `SELECT count(*)::int AS total, (count(*) FILTER (WHERE completed))::int AS completed FROM tasks WHERE user_id = $1`,
      [user],
    );
    const stats = (await api.get('/api/tasks/stats')).body;
    expect(stats).toMatchObject({
      total: real.total,
      completed: real.completed,
      pending: real.total - real.completed,
    });
    for (const [status, expected] of [
      ['all', real.total],
      ['completed', real.completed],
      ['pending', real.total - real.completed],
    ]) {
      expect((await api.get(`/api/tasks?status=${status}`)).headers['x-total-count']).toBe(String(expected));
    }
  });
});
