import { setTimeout as delay } from 'node:timers/promises';
import { LOCK_CLASS } from '../src/database/advisory-locks.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// Advisory locks in one class per purpose (LOCK_CLASS): a lock one purpose takes never holds up another's.
const t = useTestApp();

type Api = ReturnType<typeof as>;
const create = async (api: Api, title: string): Promise<Task> =>
  (await api.post('/api/tasks').send({ title }).expect(201)).body as Task;

/** A transaction of the test's own on a connection of its own, rolled back at the end. */
async function holding<T>(
  work: (query: (text: string, values: unknown[]) => Promise<unknown>) => Promise<T>,
) {
  const runner = t.db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    return await work((text, values) => runner.query(text, values));
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

/** The advisory locks being waited for whose second key is `hashtext(key)`, as pg_locks shows them. */
type Waiting = { classid: string; objid: string; objsubid: number };
async function waitingOn(key: string): Promise<Waiting[]> {
  for (let tries = 0; tries < 100; tries++) {
    const rows = await t.db.query<Waiting[]>(
      `SELECT classid::bigint::text AS classid, objid::bigint::text AS objid, objsubid
         FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
      [key],
    );
    if (rows.length) return rows;
    await delay(50);
  }
  return [];
}

describe('advisory locks', () => {
  it('a lock of another purpose on the same second key as a list’s ordering lock holds up none of its moves', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const a = await create(api, 'a');
    const b = await create(api, 'b');
    await holding(async (query) => {
      // What an Idempotency-Key crafted so that hashtext(user || '\n' || key) = hashtext(list id) holds
      // while its request runs, and the migrator's class on the same second key.
      await query('SELECT pg_advisory_xact_lock($1, hashtext($3)), pg_advisory_xact_lock($2, hashtext($3))', [
        LOCK_CLASS.idempotencyKey,
        LOCK_CLASS.migrations,
        a.list_id,
      ]);
      const moved = await api.post(`/api/tasks/${a.id}/move`).send({ after: b.id }).timeout(10_000);
      expect(moved.status).toBe(200);
    });
  });

  it('a move waits for its list’s ordering lock: class taskOrder, second key hashtext(list id)', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const a = await create(api, 'a');
    await create(api, 'b');
    // Handed out wrapped: the request completes only once `holding` has rolled back.
    const { pending } = await holding(async (query) => {
      await query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS.taskOrder, a.list_id]);
      const pending = api
        .post(`/api/tasks/${a.id}/move`)
        .send({ after: null })
        .then((res) => res);
      expect(await waitingOn(a.list_id)).toEqual([
        { classid: String(LOCK_CLASS.taskOrder), objid: expect.any(String), objsubid: 2 },
      ]);
      return { pending };
    });
    expect((await pending).status).toBe(200);
  });

  it('an Idempotency-Key in flight holds its own class: class idempotencyKey, second key hashtext(user, key)', async () => {
    const user = newUser();
    const api = as(t.app, user);
    await holding(async (query) => {
      await query(`SELECT pg_advisory_xact_lock($1, hashtext($2 || E'\\n' || $3))`, [
        LOCK_CLASS.idempotencyKey,
        user,
        'k1',
      ]);
      const res = await api.post('/api/tasks').set('Idempotency-Key', 'k1').send({ title: 'x' });
      expect(res.status).toBe(409);
      // Not the ordering lock of the same user, nor another key's.
      await api.post('/api/tasks').set('Idempotency-Key', 'k2').send({ title: 'y' }).expect(201);
    });
    await api.post('/api/tasks').set('Idempotency-Key', 'k1').send({ title: 'x' }).expect(201);
  });
});
