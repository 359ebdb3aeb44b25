import { IdempotencyService } from '../src/idempotency/idempotency.service.js';
import { as, expectProblem, useTestApp } from './helpers/app.js';
import { queryOnce } from './helpers/pg.js';
import { newUser } from './helpers/tokens.js';

/** What one user may hold and leave behind: MAX_TASKS_PER_USER, and the idempotency sweep. */
const LIMIT = 5;

describe('MAX_TASKS_PER_USER', () => {
  // The default statement timeout: 20 creates of one user take turns on its counter row, and on a
  // loaded machine through PgBouncer the last can wait longer than the sweep's 1 s below (a 503).
  const t = useTestApp({ MAX_TASKS_PER_USER: String(LIMIT) });

  it('ends 20 parallel creates at the limit exactly: the rest are 403 "Task limit reached"', async () => {
    const user = newUser();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        as(t.app, user)
          .post('/api/tasks')
          .send({ title: `t${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(LIMIT);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(20 - LIMIT);
    for (const res of refused) {
      expectProblem(res, 403);
      expect(res.body.title).toBe('Task limit reached');
    }
    const list = await as(t.app, user).get('/api/tasks');
    expect(list.body).toHaveLength(LIMIT);
    expect((await as(t.app, user).get('/api/tasks/stats')).body.total).toBe(LIMIT);
  });

  it('counts per user, frees a place on delete, and refuses under an Idempotency-Key too', async () => {
    const user = newUser();
    const ids: string[] = [];
    for (let i = 0; i < LIMIT; i++)
      ids.push((await as(t.app, user).post('/api/tasks').send({ title: 'x' })).body.id);
    expect((await as(t.app, newUser()).post('/api/tasks').send({ title: 'other user' })).status).toBe(201);
    const keyed = await as(t.app, user)
      .post('/api/tasks')
      .set('Idempotency-Key', 'over-the-limit')
      .send({ title: 'y' });
    expectProblem(keyed, 403);
    expect((await as(t.app, user).delete(`/api/tasks/${ids[0]}`)).status).toBe(204);
    // The refused key stored nothing: the same request now creates.
    const again = await as(t.app, user)
      .post('/api/tasks')
      .set('Idempotency-Key', 'over-the-limit')
      .send({ title: 'y' });
    expect(again.status).toBe(201);
    expectProblem(await as(t.app, user).post('/api/tasks').send({ title: 'z' }), 403);
  });

  it('counts the tasks of the lists a user owns, whoever creates them, and says it is the owner’s limit', async () => {
    const owner = as(t.app, newUser('owner'));
    const editorId = newUser('editor');
    const editor = as(t.app, editorId);
    const list = (await owner.post('/api/lists').send({ name: 'Shared' }).expect(201)).body;
    await t.db.query(`INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, 'editor')`, [
      list.id,
      editorId,
    ]);
    for (let i = 0; i < LIMIT; i++)
      await editor
        .post('/api/tasks')
        .send({ title: `t${i}`, list_id: list.id })
        .expect(201);
    const full = await editor.post('/api/tasks').send({ title: 'one more', list_id: list.id });
    expectProblem(full, 403);
    expect(full.body.detail).toBe(
      `The owner of this list holds ${LIMIT} tasks in their lists, the most one user may; delete some to add more`,
    );
    // The editor's own lists are not full.
    await editor.post('/api/tasks').send({ title: 'in my inbox' }).expect(201);
    expectProblem(await owner.post('/api/tasks').send({ title: 'owner’s inbox' }), 403);
  });
});

describe('the idempotency sweep', () => {
  const t = useTestApp({ DB_STATEMENT_TIMEOUT_MS: '1000' });

  it('empties 200 000 expired keys under a 1 s statement timeout, in batches', async () => {
    const prefix = newUser('sweep');
    // Seeded on a connection of its own: the app's has the 1 s limit the sweep must live with.
    await queryOnce(
      process.env.E2E_DIRECT_DATABASE_URL!,
      `INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, expires_at)
       SELECT $1 || (n % 1000), 'k' || n, repeat('0', 64), 201, '{}', now() - interval '1 hour'
         FROM generate_series(1, 200000) AS n`,
      [prefix],
    );
    const deleted = await t.app.get(IdempotencyService).sweep();
    // Other apps of this run sweep too, and SKIP LOCKED shares the work: this sweep deletes most
    // of them, and the rest are gone as soon as the others' batches commit.
    expect(deleted).toBeGreaterThan(100_000);
    const left = async () =>
      (
        await t.db.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM idempotency_keys WHERE user_id LIKE $1',
          [`${prefix}%`],
        )
      )[0].n;
    for (let i = 0; i < 50 && (await left()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await left()).toBe(0);
  }, 60_000);
});
