import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import { Database } from '../src/database/database.js';
import { NotificationsRepository } from '../src/notifications/notifications.repository.js';
import { ReminderFiring } from '../src/reminders/reminder-firing.js';
import type { ReminderDto } from '../src/reminders/dto/reminder.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { membership } from './helpers/members.js';
import { as, createTestApp, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { eventually } from './helpers/eventually.js';
import { firedOnce, notificationsOf } from './helpers/notifications.js';
import { useDirectQuery } from './helpers/pg.js';
import { SseClient } from './helpers/sse.js';
import { newUser } from './helpers/tokens.js';

// A short tick so that a reminder a second or two ahead fires within the test's waits.
const ENV = { REMINDER_TICK_MS: '200' };
const t = useTestApp(ENV);
type Api = ReturnType<typeof as>;

/** The database itself, not through the app (nor through PgBouncer when the run uses one). */
const query = useDirectQuery();
const { join } = membership(query);

const iso = (ms: number) => new Date(ms).toISOString();
const inMs = (ms: number) => iso(Date.now() + ms);
const makeTask = async (api: Api, body: Record<string, unknown>): Promise<Task> =>
  (await api.post('/api/tasks').send(body).expect(201)).body;
const remind = async (api: Api, task: string, body: Record<string, unknown>): Promise<ReminderDto> =>
  (await api.post(`/api/tasks/${task}/reminders`).send(body).expect(201)).body;
const remindersOf = async (api: Api, task: string): Promise<ReminderDto[]> =>
  (await api.get(`/api/tasks/${task}/reminders`).expect(200)).body;
const makeList = async (api: Api, name: string): Promise<ListDto> =>
  (await api.post('/api/lists').send({ name }).expect(201)).body;

const firesOf = (reminderId: string) =>
  query<{ occurrence: Date; outcome: string }>(
    `SELECT occurrence, outcome FROM reminder_fires WHERE reminder_id = $1 ORDER BY occurrence`,
    [reminderId],
  );

describe('reminder routes', () => {
  it('sets a relative and an absolute reminder, lists them oldest first, deletes one', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const due = Date.now() + 3_600_000;
    const task = await makeTask(api, { title: 'flight', due_date: iso(due) });
    const relative = await remind(api, task.id, { before_minutes: 15 });
    expect(relative).toEqual({
      id: expect.any(String),
      task_id: task.id,
      before_minutes: 15,
      next_fire_at: iso(due - 15 * 60_000),
    });
    const absolute = await remind(api, task.id, { at: '2099-12-01T08:30:00+01:00' });
    expect(absolute).toEqual({
      id: expect.any(String),
      task_id: task.id,
      at: '2099-12-01T07:30:00.000Z',
      next_fire_at: '2099-12-01T07:30:00.000Z',
    });
    expect(await remindersOf(api, task.id)).toEqual([relative, absolute]);
    // The same routes under /api/{user_id}/tasks; another user's id there is 403.
    expect((await api.get(`/api/${user}/tasks/${task.id}/reminders`).expect(200)).body).toEqual([
      relative,
      absolute,
    ]);
    expectProblem(await api.get(`/api/${newUser()}/tasks/${task.id}/reminders`), 403);

    await api.delete(`/api/tasks/${task.id}/reminders/${relative.id}`).expect(204);
    expect(await remindersOf(api, task.id)).toEqual([absolute]);
    expectProblem(await api.delete(`/api/tasks/${task.id}/reminders/${relative.id}`), 404);
  });

  it('validates: exactly one of before_minutes (0–40320, needs a due_date) and at (a date-time); ids are UUIDs', async () => {
    const api = as(t.app, newUser());
    const dated = await makeTask(api, { title: 'dated', due_date: inMs(3_600_000) });
    const undated = await makeTask(api, { title: 'undated' });
    const post = (task: string, body: unknown) =>
      api.post(`/api/tasks/${task}/reminders`).send(body as object);
    const cases: [unknown, string[]][] = [
      [{}, ['before_minutes']],
      [{ before_minutes: 5, at: inMs(60_000) }, ['at', 'before_minutes']],
      [{ before_minutes: -1 }, ['before_minutes']],
      [{ before_minutes: 40_321 }, ['before_minutes']],
      [{ before_minutes: 1.5 }, ['before_minutes']],
      [{ before_minutes: '5' }, ['before_minutes']],
      [{ before_minutes: null }, ['before_minutes']],
      [{ at: 'tomorrow' }, ['at']],
      [{ at: '2026-12-01T08:30:00' }, ['at']],
      [{ at: 5 }, ['at']],
      [{ before_minutes: 5, user_id: 'someone' }, ['user_id']],
    ];
    for (const [body, fields] of cases) {
      const res = await post(dated.id, body);
      expectProblem(res, 400);
      expect({ body, fields: fieldsOf(res) }).toEqual({ body, fields });
    }
    expect((await post(dated.id, { before_minutes: 40_320 })).status).toBe(201);
    expect((await post(dated.id, { before_minutes: 0 })).status).toBe(201);

    const undatedRes = await post(undated.id, { before_minutes: 10 });
    expectProblem(undatedRes, 400);
    expect(fieldsOf(undatedRes)).toEqual(['due_date']);
    expect((await post(undated.id, { at: inMs(3_600_000) })).status).toBe(201);

    expect(fieldsOf(await api.get('/api/tasks/not-a-uuid/reminders'))).toEqual(['id']);
    const badReminder = await api.delete(`/api/tasks/${dated.id}/reminders/nope`);
    expectProblem(badReminder, 400);
    expect(fieldsOf(badReminder)).toEqual(['reminder_id']);
  });

  it('allows 10 per task and user, also under concurrent creates; others have their own 10', async () => {
    const owner = newUser();
    const api = as(t.app, owner);
    const list = await makeList(api, 'shared');
    const task = await makeTask(api, { title: 'busy', list_id: list.id, due_date: inMs(86_400_000) });
    const answers = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        api.post(`/api/tasks/${task.id}/reminders`).send({ before_minutes: i }),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(10);
    for (const refused of answers.filter((r) => r.status !== 201)) {
      expectProblem(refused, 403);
      expect(refused.body.title).toBe('Reminder limit reached');
    }
    expect(await remindersOf(api, task.id)).toHaveLength(10);

    const member = newUser();
    await join(list.id, member, 'viewer');
    const mine = await remind(as(t.app, member), task.id, { before_minutes: 1 });
    expect(await remindersOf(as(t.app, member), task.id)).toEqual([mine]);
  });

  it('keeps reminders private, and a task the caller cannot see is 404 on every route', async () => {
    const owner = newUser();
    const api = as(t.app, owner);
    const list = await makeList(api, 'team');
    const task = await makeTask(api, { title: 'shared', list_id: list.id, due_date: inMs(86_400_000) });
    const own = await remind(api, task.id, { before_minutes: 30 });

    const stranger = as(t.app, newUser());
    expectProblem(await stranger.get(`/api/tasks/${task.id}/reminders`), 404);
    expectProblem(await stranger.post(`/api/tasks/${task.id}/reminders`).send({ before_minutes: 5 }), 404);
    expectProblem(await stranger.delete(`/api/tasks/${task.id}/reminders/${own.id}`), 404);

    const memberId = newUser();
    await join(list.id, memberId, 'editor');
    const member = as(t.app, memberId);
    expect(await remindersOf(member, task.id)).toEqual([]);
    expectProblem(await member.delete(`/api/tasks/${task.id}/reminders/${own.id}`), 404);
    const theirs = await remind(member, task.id, { before_minutes: 5 });
    expect(await remindersOf(api, task.id)).toEqual([own]);

    // Losing access (removed from the list) takes the member's reminders on its tasks away.
    await query('DELETE FROM list_members WHERE list_id = $1 AND user_id = $2', [list.id, memberId]);
    expectProblem(await member.get(`/api/tasks/${task.id}/reminders`), 404);
    expect(await query('SELECT 1 FROM reminders WHERE id = $1', [theirs.id])).toEqual([]);
    expect(await remindersOf(api, task.id)).toEqual([own]);
  });

  it('a relative reminder follows the due date; completing cancels it and reopening re-arms it', async () => {
    const api = as(t.app, newUser());
    const due = Date.parse('2099-06-01T09:00:00.000Z');
    const task = await makeTask(api, { title: 'moves', due_date: iso(due) });
    const relative = await remind(api, task.id, { before_minutes: 60 });
    const absolute = await remind(api, task.id, { at: '2099-05-01T00:00:00Z' });
    const state = async () =>
      Object.fromEntries((await remindersOf(api, task.id)).map((r) => [r.id, r.next_fire_at]));

    await api.patch(`/api/tasks/${task.id}`).send({ due_date: '2099-07-01T09:00:00Z' }).expect(200);
    expect(await state()).toEqual({
      [relative.id]: '2099-07-01T08:00:00.000Z',
      [absolute.id]: '2099-05-01T00:00:00.000Z',
    });
    await api.patch(`/api/tasks/${task.id}`).send({ due_date: null }).expect(200);
    expect(await state()).toEqual({ [relative.id]: null, [absolute.id]: '2099-05-01T00:00:00.000Z' });
    await api
      .put(`/api/tasks/${task.id}`)
      .send({ title: 'moves', due_date: '2099-08-01T09:00:00Z' })
      .expect(200);
    expect((await state())[relative.id]).toBe('2099-08-01T08:00:00.000Z');

    await api.patch(`/api/tasks/${task.id}/complete`).send({ completed: true }).expect(200);
    expect(await state()).toEqual({ [relative.id]: null, [absolute.id]: null });
    await api.patch(`/api/tasks/${task.id}/complete`).send({ completed: false }).expect(200);
    expect(await state()).toEqual({
      [relative.id]: '2099-08-01T08:00:00.000Z',
      [absolute.id]: '2099-05-01T00:00:00.000Z',
    });
  });
});

describe('firing', () => {
  it('fires a reminder once into its user’s outbox, with the task, and reads it back with notificationsAfter', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const task = await makeTask(api, { title: 'call mum', due_date: inMs(3_600_000) });
    const at = inMs(1500);
    const reminder = await remind(api, task.id, { at });

    const [row] = await firedOnce(query, reminder.id);
    expect(row.user_id).toBe(user);
    expect(row.body).toEqual({
      id: expect.any(String),
      type: 'reminder',
      reminder_id: reminder.id,
      occurrence: at,
      fire_at: at,
      task: { ...task, updated_at: expect.any(String) },
    });
    expect((await firesOf(reminder.id)).map((f) => f.outcome)).toEqual(['fired']);
    expect((await remindersOf(api, task.id))[0].next_fire_at).toBeNull();

    const outbox = t.app.get(NotificationsRepository);
    const entries = await outbox.notificationsAfter(user, 0, 10);
    expect(entries).toEqual([{ seq: Number(row.seq), notification: row.body }]);
    expect(await outbox.notificationsAfter(user, entries[0].seq, 10)).toEqual([]);
    expect(await outbox.lastSeq(user)).toBe(entries[0].seq);
  });

  it('reaches the user’s open event streams as event: reminder (no id: the change feed’s tokens are untouched), and nobody else’s', async () => {
    await t.app.listen(0, '127.0.0.1');
    const base = await t.app.getUrl();
    const user = newUser();
    const other = newUser();
    const api = as(t.app, user);
    const task = await makeTask(api, { title: 'take the cake out', due_date: inMs(3_600_000) });
    // A notification from before the stream opened is not sent again: streams are live.
    const earlier = await remind(api, task.id, { at: inMs(300) });
    await firedOnce(query, earlier.id);
    const [mine, theirs] = [
      await SseClient.open(`${base}/api/tasks/events`, user),
      await SseClient.open(`${base}/api/tasks/events`, other),
    ];
    try {
      const reminder = await remind(api, task.id, { at: inMs(1500) });
      await firedOnce(query, reminder.id);
      // Any process on this database may have swept it (the other spec files' apps take turns on the
      // same queue) and announced it there; across processes that is Redis's job (events specs). Here
      // the announcement this instance would receive from it:
      await t.app.get(Database).announceFor([user]);
      await mine.until((c) => c.events.some((e) => e.event === 'reminder'), 20_000);
      const events = mine.events.filter((e) => e.event === 'reminder');
      expect(events).toHaveLength(1);
      expect(events[0].id).toBeUndefined();
      const [row] = await notificationsOf(query, reminder.id);
      expect(JSON.parse(events[0].data)).toEqual(row.body);
      expect(theirs.events.filter((e) => e.event === 'reminder')).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it('completing or deleting the task, moving its due date or deleting the reminder cancels what has not fired', async () => {
    const api = as(t.app, newUser());
    const soon = Date.now() + 2500;
    const make = async (title: string) => {
      const task = await makeTask(api, { title, due_date: iso(soon) });
      return { task, reminder: await remind(api, task.id, { before_minutes: 0 }) };
    };
    const control = await make('control');
    const completed = await make('completed');
    const deleted = await make('deleted');
    const moved = await make('moved');
    const unset = await make('unset');
    await api.patch(`/api/tasks/${completed.task.id}/complete`).send({ completed: true }).expect(200);
    await api.delete(`/api/tasks/${deleted.task.id}`).expect(204);
    // An hour later: the old fire time passes without a fire.
    await api
      .patch(`/api/tasks/${moved.task.id}`)
      .send({ due_date: iso(soon + 3_600_000) })
      .expect(200);
    await api.delete(`/api/tasks/${unset.task.id}/reminders/${unset.reminder.id}`).expect(204);

    await firedOnce(query, control.reminder.id);
    // A sweep or two after the control fired: whatever else was due has been swept too.
    await sleep(1500);
    for (const cancelled of [completed, deleted, moved, unset]) {
      expect(await notificationsOf(query, cancelled.reminder.id)).toEqual([]);
      expect(await firesOf(cancelled.reminder.id)).toEqual([]);
    }
    expect((await remindersOf(api, moved.task.id))[0].next_fire_at).toBe(iso(soon + 3_600_000));
    expect(await query('SELECT 1 FROM reminders WHERE task_id = $1', [deleted.task.id])).toEqual([]);
  });

  it('a recurring task’s relative reminder fires for an occurrence and re-arms for the next one', async () => {
    const api = as(t.app, newUser());
    const first = Date.now() + 2000;
    const task = await makeTask(api, {
      title: 'daily stand-up',
      due_date: iso(first),
      recurrence: { rule: 'FREQ=DAILY' },
    });
    const reminder = await remind(api, task.id, { before_minutes: 1 });
    const [fired] = await firedOnce(query, reminder.id);
    expect(fired.body.occurrence).toBe(iso(first));
    expect(fired.body.fire_at).toBe(iso(first - 60_000));

    // Completing this occurrence advances the task a day: the reminder is armed for that one.
    const advanced: Task = (
      await api.patch(`/api/tasks/${task.id}/complete`).send({ completed: true }).expect(200)
    ).body;
    expect(advanced.completed).toBe(false);
    expect(advanced.due_date).toBe(iso(first + 86_400_000));
    const [again] = await remindersOf(api, task.id);
    expect(again.next_fire_at).toBe(iso(first + 86_400_000 - 60_000));
    // Moving the series back to the occurrence that fired does not fire it a second time.
    await api
      .patch(`/api/tasks/${task.id}`)
      .send({ due_date: iso(first) })
      .expect(200);
    expect((await remindersOf(api, task.id))[0].next_fire_at).toBeNull();
    expect((await firesOf(reminder.id)).map((f) => f.occurrence.toISOString())).toEqual([iso(first)]);
  });

  it('skips (and records) a reminder more than REMINDER_MAX_LATE_MIN late, and fires one that is late by less', async () => {
    const api = as(t.app, newUser());
    const task = await makeTask(api, { title: 'missed', due_date: inMs(3_600_000) });
    const late = await remind(api, task.id, { at: inMs(-61 * 60_000) });
    const recent = await remind(api, task.id, { at: inMs(-59 * 60_000) });
    await firedOnce(query, recent.id);
    const fires = await eventually(
      async () => {
        const rows = await firesOf(late.id);
        return rows.length > 0 && rows;
      },
      20_000,
      100,
    );
    expect(fires.map((f) => f.outcome)).toEqual(['late']);
    expect(await notificationsOf(query, late.id)).toEqual([]);
  });

  it('a sweep that dies before its commit loses nothing: the reminder fires once afterwards', async () => {
    const api = as(t.app, newUser());
    const task = await makeTask(api, { title: 'crash', due_date: inMs(3_600_000) });
    const at = inMs(1000);
    const reminder = await remind(api, task.id, { at });
    // A sweep on an instance about to die: its transaction holds the reminder from before it is
    // due, then claims it (disarmed, fire row written) and is killed before COMMIT.
    const dying = new pg.Client({ connectionString: process.env.E2E_DIRECT_DATABASE_URL });
    await dying.connect();
    dying.on('error', () => undefined);
    await dying.query('BEGIN');
    await dying.query('SELECT 1 FROM reminders WHERE id = $1 FOR UPDATE', [reminder.id]);
    await sleep(Date.parse(at) - Date.now() + 1000);
    await dying.query('UPDATE reminders SET next_fire_at = NULL WHERE id = $1', [reminder.id]);
    await dying.query(
      `INSERT INTO reminder_fires (reminder_id, occurrence, fire_at, outcome) VALUES ($1, $2, $2, 'fired')`,
      [reminder.id, at],
    );
    // Meanwhile the app's sweeps skipped the row it holds (SKIP LOCKED) rather than firing it.
    expect(await notificationsOf(query, reminder.id)).toEqual([]);
    const [{ pid }] = (await dying.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    await query('SELECT pg_terminate_backend($1)', [pid]);
    await dying.end().catch(() => undefined);

    const [row] = await firedOnce(query, reminder.id);
    expect(row.body.occurrence).toBe(at);
    await sleep(1000);
    expect(await notificationsOf(query, reminder.id)).toHaveLength(1);
    expect((await firesOf(reminder.id)).map((f) => f.outcome)).toEqual(['fired']);
  });

  it('cleans up notifications after 7 days, and fire records a day after they would be late anyway', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const task = await makeTask(api, { title: 'old news', due_date: inMs(3_600_000) });
    const old = await remind(api, task.id, { at: '2099-01-01T00:00:00Z' });
    const recent = await remind(api, task.id, { at: '2099-01-02T00:00:00Z' });
    // What sweeps long ago and lately would have left behind.
    await query(
      `INSERT INTO reminder_fires (reminder_id, occurrence, fire_at, outcome)
       VALUES ($1, now() - interval '3 days', now() - interval '3 days', 'fired'),
              ($2, now() - interval '1 hour', now() - interval '1 hour', 'fired')`,
      [old.id, recent.id],
    );
    await query(
      `INSERT INTO notifications (user_id, seq, id, type, body, created_at)
       VALUES ($1, 1, gen_random_uuid(), 'reminder', '{}', now() - interval '8 days'),
              ($1, 2, gen_random_uuid(), 'reminder', '{}', now() - interval '6 days')`,
      [user],
    );
    expect(await t.app.get(ReminderFiring).cleanup()).toBeGreaterThanOrEqual(2);
    expect(await firesOf(old.id)).toEqual([]);
    expect(await firesOf(recent.id)).toHaveLength(1);
    const left = await query<{ seq: string }>(`SELECT seq FROM notifications WHERE user_id = $1`, [user]);
    expect(left.map((r) => Number(r.seq))).toEqual([2]);
  });

  describe('with three instances', () => {
    let two: NestExpressApplication;
    let three: NestExpressApplication;
    beforeAll(async () => {
      two = await createTestApp(ENV);
      three = await createTestApp(ENV);
    }, 60_000);
    afterAll(async () => {
      await two?.close();
      await three?.close();
    });

    it('fires each reminder occurrence once, whichever instance sweeps', async () => {
      const users = [newUser(), newUser(), newUser()];
      const soon = Date.now() + 2500;
      const reminders: ReminderDto[] = [];
      for (const [i, user] of users.entries()) {
        const api = as([t.app, two, three][i], user);
        const task = await makeTask(api, { title: `team ${i}`, due_date: iso(soon + 600_000) });
        for (let k = 0; k < 10; k++) reminders.push(await remind(api, task.id, { at: iso(soon + k * 20) }));
      }
      await eventually(
        async () => {
          const [{ n }] = await query<{ n: number }>(
            `SELECT count(*)::int AS n FROM notifications WHERE user_id = ANY($1)`,
            [users],
          );
          return n >= reminders.length;
        },
        20_000,
        100,
      );
      // Another round of sweeps on every instance finds nothing more to send.
      await sleep(1500);
      const counts = await query<{ reminder_id: string; n: number }>(
        `SELECT body->>'reminder_id' AS reminder_id, count(*)::int AS n FROM notifications
          WHERE user_id = ANY($1) GROUP BY 1`,
        [users],
      );
      expect(counts).toHaveLength(reminders.length);
      expect(counts.filter((c) => c.n !== 1)).toEqual([]);
      // Each user's outbox is numbered 1…10 without a gap.
      for (const user of users) {
        const seqs = await query<{ seq: string }>(
          `SELECT seq FROM notifications WHERE user_id = $1 ORDER BY seq`,
          [user],
        );
        expect(seqs.map((s) => Number(s.seq))).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      }
    });
  });
});
