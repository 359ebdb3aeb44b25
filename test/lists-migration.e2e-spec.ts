import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations/index.js';
import { Lists1796400000000 } from '../migrations/1796400000000-Lists.js';
import { streamKey } from '../src/sync/sync-token.js';
import { SyncTokens } from '../src/sync/sync-tokens.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, createTestApp } from './helpers/app.js';
import { queryOnce } from './helpers/pg.js';

/**
 * The Lists migration on a copy with data: every task into its user's inbox, positions and versions
 * kept, and a client that synced before the migration sees all its tasks again, with `list_id`,
 * after its token (no gap); the app then serves the migrated data.
 */
describe('the Lists migration', () => {
  const direct = process.env.E2E_DIRECT_DATABASE_URL!;
  const database = `tasks_lists_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(direct), { pathname: `/${database}` }).toString();
  const users = ['user-a', 'user-b', 'user-c'];
  type Row = {
    id: string;
    user_id: string;
    position: string;
    version: number;
    updated_at: Date;
    parent_id: string | null;
  };
  let before: Row[];
  let heads: Map<string, number>;
  let app: NestExpressApplication | undefined;

  const migrated = async (migrations: typeof MIGRATIONS) => {
    const source = new DataSource({
      type: 'postgres',
      url,
      migrations,
      migrationsTransactionMode: 'all',
      migrationsTableName: 'typeorm_migrations', // the app's own (typeorm-options.ts): it migrates no further on start
    });
    await source.initialize();
    await source.runMigrations();
    return source;
  };

  beforeAll(async () => {
    await queryOnce(direct, `CREATE DATABASE "${database}"`);
    const old = await migrated(MIGRATIONS.slice(0, MIGRATIONS.indexOf(Lists1796400000000)));
    // 30 top-level tasks over three users (positions as the app made them: 'a0', 'a1', …), a
    // subtask under each user's first, some changed (version 3), some completed, and a deletion.
    await old.query(
      `INSERT INTO tasks (user_id, title, position, completed)
       SELECT 'user-' || chr(97 + n % 3), 'task ' || n, 'a' || (n / 3), n % 4 = 0 FROM generate_series(0, 29) AS n`,
    );
    await old.query(`UPDATE tasks SET title = title || '!', version = version + 2 WHERE title LIKE '%5'`);
    await old.query(
      `INSERT INTO tasks (user_id, title, position, parent_id)
       SELECT user_id, 'sub of ' || title, 'a0', id FROM tasks WHERE position = 'a0'`,
    );
    await old.query(`DELETE FROM tasks WHERE title = 'task 29'`);
    // A user with no tasks left gets no inbox.
    await old.query(`INSERT INTO tasks (user_id, title, position) VALUES ('user-gone', 'x', 'a0')`);
    await old.query(`DELETE FROM tasks WHERE user_id = 'user-gone'`);
    before = await old.query(
      `SELECT id, user_id, position, version, updated_at, parent_id FROM tasks ORDER BY id`,
    );
    heads = new Map(
      (await old.query(`SELECT user_id, seq FROM task_counts`)).map((r: { user_id: string; seq: string }) => [
        r.user_id,
        Number(r.seq),
      ]),
    );
    await old.destroy();
    const now = await migrated(MIGRATIONS);
    await now.destroy();
    app = await createTestApp({ DATABASE_URL: url });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await queryOnce(direct, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });

  it('gives every user with tasks one inbox, owned and with its owner member row, and no one else one', async () => {
    const lists = await queryOnce(
      url,
      `SELECT l.owner_id, l.name, l.is_inbox, m.user_id AS member, m.role FROM lists l
         JOIN list_members m ON m.list_id = l.id ORDER BY l.owner_id`,
    );
    expect(lists.rows).toEqual(
      users.map((u) => ({ owner_id: u, name: 'Inbox', is_inbox: true, member: u, role: 'owner' })),
    );
  });

  it('moves every task into its user’s inbox with its position, parent, version and updated_at kept', async () => {
    const after = await queryOnce<Row & { inbox_owner: string; owner_id: string }>(
      url,
      `SELECT t.id, t.user_id, t.position, t.version, t.updated_at, t.parent_id, l.owner_id AS inbox_owner, t.owner_id
         FROM tasks t JOIN lists l ON l.id = t.list_id AND l.is_inbox ORDER BY t.id`,
    );
    expect(after.rows).toHaveLength(before.length);
    expect(after.rows.map(({ inbox_owner, owner_id, ...row }) => [row, inbox_owner, owner_id])).toEqual(
      before.map((row) => [row, row.user_id, row.user_id]),
    );
  });

  it('shows a client synced before the migration all its tasks again, with list_id, after its token', async () => {
    for (const user of users) {
      const tokens = await app!.get(SyncTokens).of(user);
      const head = heads.get(user)!;
      const since = tokens.encode({
        lists: 0,
        streams: new Map([[streamKey(user), { seq: head, floor: head }]]),
      });
      const res = await as(app!, user).get(
        `/api/tasks/changes?since=${encodeURIComponent(since)}&limit=1000`,
      );
      expect(res.status).toBe(200);
      const changes = res.body.changes as (Task & { deleted?: true })[];
      const inbox = (await as(app!, user).get('/api/lists').expect(200)).body[0];
      const live = before.filter((r) => r.user_id === user);
      expect(
        changes
          .filter((c) => !c.deleted)
          .map((c) => c.id)
          .sort(),
      ).toEqual(live.map((r) => r.id).sort());
      for (const c of changes.filter((c) => !c.deleted)) expect(c.list_id).toBe(inbox.id);
    }
  });

  it('keeps positions unique per list and parent, and a parent in its subtask’s list', async () => {
    const { rows } = await queryOnce(
      url,
      `SELECT id, list_id FROM tasks WHERE user_id = 'user-a' AND parent_id IS NULL LIMIT 1`,
    );
    await expect(
      queryOnce(
        url,
        `INSERT INTO tasks (user_id, list_id, title, position) SELECT 'user-a', $1, 'dup', position FROM tasks WHERE id = $2`,
        [rows[0].list_id, rows[0].id],
      ),
    ).rejects.toThrow(/ux_tasks_top_position/);
    const other = await queryOnce(url, `SELECT inbox_of('user-b') AS id`);
    await expect(
      queryOnce(
        url,
        `INSERT INTO tasks (user_id, list_id, title, position, parent_id) VALUES ('user-b', $1, 'x', 'z0', $2)`,
        [other.rows[0].id, rows[0].id],
      ),
    ).rejects.toThrow(/fk_tasks_parent/);
  });

  it('the app serves the migrated tasks: listed in the inbox in their order', async () => {
    const api = as(app!, 'user-a');
    const inbox = (await api.get('/api/lists').expect(200)).body[0];
    const res = await api
      .get(`/api/tasks?list_id=${inbox.id}&parent_id=none&sort=position&limit=100`)
      .expect(200);
    expect(res.body.map((t: Task) => t.position)).toEqual(
      before
        .filter((r) => r.user_id === 'user-a' && !r.parent_id)
        .map((r) => r.position)
        .sort(),
    );
    await api.post('/api/tasks').send({ title: 'new' }).expect(201);
  });
});
