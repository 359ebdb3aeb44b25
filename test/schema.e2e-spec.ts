import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  INTERNAL_COLUMNS,
  ORDERS,
  SORTS,
  SORT_KEYS,
  TASK_COLUMNS,
  WRITABLE_DEFAULTS,
} from '../src/tasks/task.schema.js';
import { TasksRepository } from '../src/tasks/tasks.repository.js';
import { as, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// task.schema.ts against the database the migrations made: if one of them changes without the
// other, this fails.
const t = useTestApp(); // migrates the database
let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(() => client.end());

/** Runs `work` in a transaction that is always rolled back. */
async function rolledBack<T>(work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    return await work();
  } finally {
    await client.query('ROLLBACK');
  }
}

it('TASK_COLUMNS and INTERNAL_COLUMNS are the columns of the tasks table (as a set: ADD COLUMN appends)', async () => {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'tasks'`,
  );
  expect(rows.map((r) => r.column_name).sort()).toEqual([...TASK_COLUMNS, ...INTERNAL_COLUMNS].sort());
});

it('a task reads back with exactly TASK_COLUMNS, in that order (the API’s field order)', async () => {
  const created = await as(t.app, newUser()).post('/api/tasks').send({ title: 'fields' });
  expect(created.status).toBe(201);
  expect(Object.keys(created.body)).toEqual([...TASK_COLUMNS]);
});

it('WRITABLE_DEFAULTS are the columns’ own defaults', async () => {
  const row = await rolledBack(
    async () =>
      (
        await client.query(
          `INSERT INTO tasks (user_id, title, position) VALUES ($1, 'x', 'a0') RETURNING *`,
          [newUser()],
        )
      ).rows[0],
  );
  for (const [field, value] of Object.entries(WRITABLE_DEFAULTS))
    expect([field, row[field]]).toEqual([field, value]);
});

describe.each(SORT_KEYS.flatMap((sort) => ORDERS.map((order) => [sort, order] as const)))(
  'sort=%s order=%s',
  (sort, order) => {
    const { expr, index } = SORTS[sort][order];

    it(`has its index ${index} on (list_id, its expression, id), as the migrations made it`, async () => {
      const made = await client.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'tasks' AND indexname = $1`,
        [index],
      );
      expect(made.rows).toHaveLength(1);
      // PostgreSQL's own normal form of the expression: build the index the table describes, and read it back.
      const described = await rolledBack(async () => {
        await client.query(`CREATE INDEX schema_probe ON tasks (list_id, (${expr}), id)`);
        const { rows } = await client.query<{ def: string }>(
          `SELECT pg_get_indexdef('schema_probe'::regclass) AS def`,
        );
        return rows[0].def.replace('schema_probe', index);
      });
      expect(made.rows[0].indexdef).toBe(described);
    });

    it('pages through that index, in one list', async () => {
      const user = newUser();
      const { page } = t.app.get(TasksRepository).listQueries(user, {
        list: randomUUID(),
        status: 'all',
        sort,
        order,
        limit: 50,
        after: {
          key:
            sort === 'priority'
              ? 2
              : sort === 'title' || sort === 'position'
                ? 'm'
                : '2026-01-01T00:00:00.000Z',
          id: '00000000-0000-4000-8000-000000000000',
        },
      });
      const plan = await rolledBack(async () => {
        await client.query('SET LOCAL enable_seqscan = off');
        await client.query('SET LOCAL enable_bitmapscan = off');
        // For an empty user the planner may equally well sort a few rows from another index (a
        // tie that table statistics decide): ask whether this index can serve the page unsorted.
        await client.query('SET LOCAL enable_sort = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${page.text}`, page.values);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(new RegExp(`Index Scan(?: Backward)? using ${index} on tasks`));
      expect(plan).not.toMatch(/\bSort\b/);
    });
  },
);

describe('a subtask and its parent (migration ParentSameUser)', () => {
  /** The error `text` fails with, in a transaction rolled back either way. */
  const failure = (text: string, values: unknown[]) =>
    rolledBack(() => client.query(text, values)).then(
      () => undefined,
      (err: pg.DatabaseError) => ({ code: err.code, constraint: err.constraint }),
    );
  const refused = { code: '23503', constraint: 'fk_tasks_parent' };

  it('belong to the same user, by the database itself: another user’s parent fails behind the app’s back', async () => {
    const owner = newUser();
    const other = newUser();
    const parent = (await as(t.app, owner).post('/api/tasks').send({ title: 'parent' }).expect(201)).body;
    const theirs = (await as(t.app, other).post('/api/tasks').send({ title: 'theirs' }).expect(201)).body;
    expect(
      await failure(`INSERT INTO tasks (user_id, title, parent_id, position) VALUES ($1, 'sub', $2, 'a0')`, [
        other,
        parent.id,
      ]),
    ).toEqual(refused);
    expect(await failure('UPDATE tasks SET parent_id = $1 WHERE id = $2', [parent.id, theirs.id])).toEqual(
      refused,
    );
  });

  it('of the same user are accepted, and deleting the parent still deletes its subtasks', async () => {
    const owner = newUser();
    const parent = (await as(t.app, owner).post('/api/tasks').send({ title: 'parent' }).expect(201)).body;
    const left = await rolledBack(async () => {
      await client.query(
        `INSERT INTO tasks (user_id, title, parent_id, position) VALUES ($1, 'sub', $2, 'a0')`,
        [owner, parent.id],
      );
      await client.query('DELETE FROM tasks WHERE id = $1', [parent.id]);
      return (await client.query('SELECT id FROM tasks WHERE user_id = $1', [owner])).rows;
    });
    expect(left).toEqual([]);
  });
});
