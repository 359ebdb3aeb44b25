import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { as, createTestApp } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import {
  destroyClusters,
  MISSING_POSTGRES_BINARIES,
  postgresBinDir,
  startCluster,
  type Cluster,
} from './helpers/pg-cluster.js';
import { SseClient } from './helpers/sse.js';
import { newUser } from './helpers/tokens.js';

/**
 * Every write route and every batch op announces its write once it committed: an open event stream
 * of the writer gets the change, and the writer's next read sees it although it is served by a read
 * replica that has not replayed the write yet (read-your-writes). A write path that forgot the
 * announcement fails here: the control case writes behind the app's back and sees neither.
 *
 * The replica: a real streaming replica (pg_basebackup -R) applying WAL 2.5 s late. Each case has
 * its own user, whose tasks were put on the primary by SQL (no announcement) before the replica
 * caught up, so nothing but the write under test can steer that user's reads to the primary.
 */
const APPLY_DELAY_MS = 2500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a case starts from: its user and three tasks (`a` pending, `b` completed, `r` repeating daily). */
interface Start {
  user: string;
  a: string;
  b: string;
  r: string;
}

/** A write, and what the writer must then read: GET /api/tasks/{id} → `status` (and `check` of the body). */
interface Case {
  name: string;
  write: (
    api: ReturnType<typeof as>,
    s: Start,
  ) => Promise<{ id: string; status: 200 | 404; check?: (task: Record<string, unknown>) => void }>;
}

const ok = (res: { status: number; body: unknown }, status: number) => {
  if (res.status !== status) throw new Error(`answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown> & { results?: { status: number; task?: { id: string } }[] };
};
const batch = (api: ReturnType<typeof as>, commands: unknown[], key?: string) => {
  const req = api.post('/api/tasks/batch');
  return (key ? req.set('Idempotency-Key', key) : req).send({ commands });
};
const version2 = (task: Record<string, unknown>) => expect(task.version).toBe(2);
/** Task `r`: due daily at 09:00 UTC from R_DUE; its next occurrence is R_NEXT. */
const R_DUE = '2030-01-01T09:00:00.000Z';
const R_NEXT = '2030-01-02T09:00:00.000Z';

const CASES: Case[] = [
  {
    name: 'POST /api/tasks',
    write: async (api) => ({
      id: ok(await api.post('/api/tasks').send({ title: 'new' }), 201).id as string,
      status: 200,
    }),
  },
  {
    name: 'POST /api/tasks with Idempotency-Key',
    write: async (api) => {
      const res = await api.post('/api/tasks').set('Idempotency-Key', randomUUID()).send({ title: 'new' });
      return { id: ok(res, 201).id as string, status: 200 };
    },
  },
  {
    name: 'POST /api/tasks under a parent (the ordering lock)',
    write: async (api, s) => {
      const res = await api.post('/api/tasks').send({ title: 'sub', parent_id: s.a });
      return { id: ok(res, 201).id as string, status: 200, check: (t) => expect(t.parent_id).toBe(s.a) };
    },
  },
  {
    name: 'PUT /api/tasks/{id}',
    write: async (api, s) => {
      ok(await api.put(`/api/tasks/${s.a}`).send({ title: 'replaced' }), 200);
      return { id: s.a, status: 200, check: (t) => expect(t.title).toBe('replaced') };
    },
  },
  {
    name: 'PATCH /api/tasks/{id}',
    write: async (api, s) => {
      ok(await api.patch(`/api/tasks/${s.a}`).set('If-Match', '"1"').send({ title: 'patched' }), 200);
      return { id: s.a, status: 200, check: (t) => expect(t.title).toBe('patched') };
    },
  },
  {
    name: 'PATCH /api/tasks/{id}/complete',
    write: async (api, s) => {
      ok(await api.patch(`/api/tasks/${s.a}/complete`).send({}), 200);
      return { id: s.a, status: 200, check: (t) => expect(t.completed).toBe(true) };
    },
  },
  {
    name: 'PATCH /api/tasks/{id}/complete of a recurring task (advances it)',
    write: async (api, s) => {
      ok(await api.patch(`/api/tasks/${s.r}/complete`).send({ completed: true, occurrence: R_DUE }), 200);
      return { id: s.r, status: 200, check: (t) => expect(t.due_date).toBe(R_NEXT) };
    },
  },
  {
    name: 'POST /api/tasks/{id}/skip',
    write: async (api, s) => {
      ok(await api.post(`/api/tasks/${s.r}/skip`), 200);
      return { id: s.r, status: 200, check: (t) => expect(t.due_date).toBe(R_NEXT) };
    },
  },
  {
    name: 'POST /api/tasks/{id}/move',
    write: async (api, s) => {
      ok(await api.post(`/api/tasks/${s.b}/move`).send({ after: s.a }), 200);
      return { id: s.b, status: 200, check: version2 };
    },
  },
  {
    name: 'DELETE /api/tasks/{id}',
    write: async (api, s) => {
      ok(await api.delete(`/api/tasks/${s.a}`), 204);
      return { id: s.a, status: 404 };
    },
  },
  {
    name: 'DELETE /api/tasks?status=completed',
    write: async (api, s) => {
      expect(ok(await api.delete('/api/tasks?status=completed'), 200).deleted).toBe(1);
      return { id: s.b, status: 404 };
    },
  },
  {
    name: 'batch create',
    write: async (api) => {
      const body = ok(await batch(api, [{ op: 'create', data: { title: 'new' } }]), 200);
      return { id: body.results![0].task!.id, status: 200 };
    },
  },
  {
    name: 'batch update',
    write: async (api, s) => {
      ok(await batch(api, [{ op: 'update', task_id: s.a, data: { title: 'batched' } }]), 200);
      return { id: s.a, status: 200, check: (t) => expect(t.title).toBe('batched') };
    },
  },
  {
    name: 'batch complete',
    write: async (api, s) => {
      ok(await batch(api, [{ op: 'complete', task_id: s.b, data: { completed: false } }]), 200);
      return { id: s.b, status: 200, check: (t) => expect(t.completed).toBe(false) };
    },
  },
  {
    name: 'batch move',
    write: async (api, s) => {
      ok(await batch(api, [{ op: 'move', task_id: s.a, data: { after: s.b } }]), 200);
      return { id: s.a, status: 200, check: version2 };
    },
  },
  {
    name: 'batch delete',
    write: async (api, s) => {
      ok(await batch(api, [{ op: 'delete', task_id: s.b }]), 200);
      return { id: s.b, status: 404 };
    },
  },
  {
    name: 'batch with Idempotency-Key',
    write: async (api, s) => {
      ok(await batch(api, [{ op: 'update', task_id: s.b, data: { title: 'keyed' } }], randomUUID()), 200);
      return { id: s.b, status: 200, check: (t) => expect(t.title).toBe('keyed') };
    },
  },
];

whenInstalled(postgresBinDir, MISSING_POSTGRES_BINARIES, () => {
  let primary: Cluster;
  let replica: Cluster;
  let app: NestExpressApplication;
  let base: string;
  const starts = new Map<string, Start>();
  const control: Start = { user: newUser(), a: randomUUID(), b: randomUUID(), r: randomUUID() };

  beforeAll(async () => {
    primary = await startCluster();
    replica = await startCluster({ replicaOf: primary, applyDelayMs: APPLY_DELAY_MS });
    app = await createTestApp({
      DATABASE_URL: primary.url(),
      DB_POOL_MODE: 'session', // direct connections, also when the run goes through PgBouncer
      DATABASE_READ_URLS: replica.url(),
      DB_READ_MAX_LAG_MS: '30000',
      RATE_LIMIT_USER_PER_MINUTE: '0',
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    // Every case's tasks, behind the app's back, then time for the replica to replay them.
    for (const c of [...CASES.map((c) => c.name), 'control']) {
      const s =
        c === 'control' ? control : { user: newUser(), a: randomUUID(), b: randomUUID(), r: randomUUID() };
      starts.set(c, s);
      await primary.query(
        `INSERT INTO tasks (id, user_id, title, position, completed) VALUES ($1, $3, 'a', 'a5', false), ($2, $3, 'b', 'a6', true)`,
        [s.a, s.b, s.user],
      );
      await primary.query(
        `INSERT INTO tasks (id, user_id, title, position, due_date, recurrence, series_start)
         VALUES ($1, $2, 'r', 'a7', $3, '{"rule": "FREQ=DAILY", "from": "due"}', $3)`,
        [s.r, s.user, R_DUE],
      );
    }
    await sleep(APPLY_DELAY_MS + 1500);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await destroyClusters();
  });

  /** The write's change as the writer's open stream and next read see it. */
  async function seen(
    s: Start,
    write: () => Promise<{ id: string; status: number; check?: (t: Record<string, unknown>) => void }>,
  ) {
    const api = as(app, s.user);
    const stream = await SseClient.open(`${base}/api/tasks/events`, s.user);
    try {
      expect(stream.status).toBe(200);
      await stream.until((c) => c.events.some((e) => e.event === 'ready'));
      const expected = await write();
      const read = await api.get(`/api/tasks/${expected.id}`);
      let streamed = true;
      await stream
        .until((c) => c.changes.some((e) => e.data.includes(expected.id)), 1500)
        .catch(() => (streamed = false));
      return { read, streamed, expected };
    } finally {
      stream.close();
    }
  }

  it('the control: a write behind the app’s back reaches neither the stream nor the writer’s next read', async () => {
    const { read, streamed } = await seen(control, async () => {
      await primary.query(`UPDATE tasks SET title = 'elsewhere', version = version + 1 WHERE id = $1`, [
        control.a,
      ]);
      return { id: control.a, status: 200 };
    });
    expect(streamed).toBe(false);
    expect(read.body.title).toBe('a'); // the replica's, 2.5 s behind
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s reaches the open stream and the next read',
    async (name, c) => {
      const s = starts.get(name)!;
      const { read, streamed, expected } = await seen(s, () => c.write(as(app, s.user), s));
      expect(read.status).toBe(expected.status);
      expected.check?.(read.body as Record<string, unknown>);
      expect(streamed).toBe(true);
    },
  );
});
