import pg from 'pg';
import type { Statement } from '../src/database/database.js';
import { streamKey } from '../src/sync/sync-token.js';
import { ChangesRepository } from '../src/sync/changes.repository.js';
import { insertGeneratedTasks, VARIED_TASKS } from '../src/development/seed/generated-tasks.js';
import { TasksRepository, type ListQuery } from '../src/tasks/tasks.repository.js';
import { as, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// One heavy user with 100 000 tasks among 20 000 of other users, and 20 000 deleted ones (their
// tombstones); the plans of the listing and sync queries the app really builds must use indexes,
// never a sequential scan of the tasks table.
const HEAVY = 100_000;
const DELETED = 20_000;

const t = useTestApp();
const user = newUser('heavy');
let repo: TasksRepository;

beforeAll(async () => {
  repo = t.app.get(TasksRepository);
  // Seeding 120 000 rows (trigram and GIN indexes, counter triggers) can outlast the app's 10 s
  // query timeouts on a busy machine while the other suites run: seed over a connection of its own.
  const seeder = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await seeder.connect();
  await seeder.query(
    insertGeneratedTasks('generate_series(1, $2 + 20000) AS n', {
      ...VARIED_TASKS,
      user_id: `CASE WHEN n <= $2 THEN $1 ELSE $1 || '-other-' || (n % 500) END`,
    }),
    [user, HEAVY],
  );
  // Tombstones of as many deletions after those, so that the sync query's other side has a table
  // worth an index too (on a handful of rows a scan and a sort are rightly cheaper).
  await seeder.query(
    `INSERT INTO task_tombstones (user_id, seq, id)
     SELECT $1::varchar, (SELECT max(seq) FROM tasks WHERE user_id = $1) + n, gen_random_uuid() FROM generate_series(1, $2) AS n`,
    [user, DELETED],
  );
  await seeder.query('VACUUM ANALYZE tasks');
  await seeder.query('VACUUM ANALYZE task_tombstones');
  await seeder.end();
}, 120_000);

async function plan(statement: Statement): Promise<string> {
  const rows: { 'QUERY PLAN': string }[] = await t.db.query(`EXPLAIN ${statement.text}`, statement.values);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

const base: ListQuery = { status: 'all', sort: 'created_at', order: 'desc', limit: 50 };

async function deepCursor(): Promise<ListQuery['after']> {
  const [row] = await t.db.query(
    `SELECT id, created_at FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET 90000 LIMIT 1`,
    [user],
  );
  return { key: new Date(row.created_at).toISOString(), id: row.id };
}

describe(`listing ${HEAVY} tasks of one user`, () => {
  it.each<[string, () => ListQuery | Promise<ListQuery>]>([
    ['the default list', () => base],
    ['a deep cursor page (90 000 in)', async () => ({ ...base, after: await deepCursor() })],
    ['the q search', () => ({ ...base, q: 'groceries' })],
    ['a rare q search', () => ({ ...base, q: 'task 4242 ' })],
    ['the tag filter', () => ({ ...base, tag: 'urgent' })],
    ['pending, by due date', () => ({ ...base, status: 'pending', sort: 'due_date', order: 'asc' })],
    [
      'by due date, descending, deep',
      () => ({
        ...base,
        sort: 'due_date',
        order: 'desc',
        after: { key: '2026-03-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' },
      }),
    ],
    ['by priority', () => ({ ...base, sort: 'priority' })],
    ['by title', () => ({ ...base, sort: 'title', order: 'asc' })],
    ['by updated_at', () => ({ ...base, sort: 'updated_at' })],
    ['by position', () => ({ ...base, sort: 'position', order: 'asc' })],
    ['top-level tasks by position', () => ({ ...base, sort: 'position', order: 'asc', parent: null })],
    [
      "a task's subtasks by position, deep",
      () => ({
        ...base,
        sort: 'position',
        order: 'asc',
        parent: '00000000-0000-4000-8000-000000000001',
        after: { key: 'a0', id: '00000000-0000-4000-8000-000000000000' },
      }),
    ],
    ["a task's subtasks, newest first", () => ({ ...base, parent: '00000000-0000-4000-8000-000000000001' })],
  ])('%s uses an index', async (_, make) => {
    const { page } = repo.listQueries(user, await make());
    const text = await plan(page);
    expect(text).not.toMatch(/Seq Scan on tasks/);
    expect(text).toMatch(/Index|Bitmap/);
  });

  it('counts unfiltered and status-only listings from the counters, and filtered ones with an index', async () => {
    expect(repo.listQueries(user, base).count).toBeUndefined();
    expect(repo.listQueries(user, { ...base, status: 'pending' }).count).toBeUndefined();
    for (const query of [
      { ...base, tag: 'urgent' },
      { ...base, q: 'groceries' },
      { ...base, q: 'task 4242 ' },
      { ...base, parent: '00000000-0000-4000-8000-000000000001' },
    ]) {
      expect(await plan(repo.listQueries(user, query).count!)).not.toMatch(/Seq Scan on tasks/);
    }
  });

  it('reads 1 000 sync changes after a token with one index range scan on each side', async () => {
    const [{ seq }] = await t.db.query(
      `SELECT seq FROM tasks WHERE user_id = $1 ORDER BY seq OFFSET 50000 LIMIT 1`,
      [user],
    );
    const text = await plan(
      t.app.get(ChangesRepository).pageQuery(user, {
        keys: [streamKey(user)],
        seqs: [Number(seq)],
        lists: 0,
        limit: 1001,
        incremental: true,
      }),
    );
    // Each stream through the functions that read it as an ordered range (their own plans are
    // checked in test/sync.e2e-spec.ts), whatever this table's statistics make of a LATERAL.
    expect(text).toMatch(/Function Scan on sync_stream_tasks/);
    expect(text).toMatch(/Function Scan on sync_stream_tombstones/);
    // (The memberships, member counts and the look-up of a tombstone's task by id are small
    // look-ups a bitmap may serve.)
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('counts overdue tasks for stats from the partial index', async () => {
    const rows: { 'QUERY PLAN': string }[] = await t.db.query(
      `EXPLAIN SELECT count(*) FROM tasks t WHERE t.list_id = (SELECT id FROM lists WHERE owner_id = $1 AND is_inbox)
          AND NOT t.completed AND t.due_date < now()`,
      [user],
    );
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/ix_tasks_list_overdue/);
  });

  it('serves the first page, a deep page and a search over HTTP', async () => {
    const api = as(t.app, user);
    const first = await api.get('/api/tasks');
    expect(first.headers['x-total-count']).toBe(String(HEAVY));
    expect(first.body).toHaveLength(50);
    const search = await api.get('/api/tasks?q=task%2099999%20');
    expect(search.body.map((t: { title: string }) => t.title)).toEqual(['Task 99999 fix the bike']);
    const stats = await api.get('/api/tasks/stats');
    const [expected] = await t.db.query(
      `SELECT count(*)::int AS total, (count(*) FILTER (WHERE completed))::int AS completed,
              (count(*) FILTER (WHERE NOT completed AND due_date < now()))::int AS overdue
         FROM tasks WHERE user_id = $1`,
      [user],
    );
    expect(stats.body).toEqual({ ...expected, pending: expected.total - expected.completed });
  });
});
