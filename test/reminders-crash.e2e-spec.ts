import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DELIVERY_LIMITS } from '../src/delivery/delivery.schema.js';
import { PushService } from './helpers/push-service.js';
import { startServerProcess, stopServerProcesses } from './helpers/server-process.js';
import { newUser, tokenFor } from './helpers/tokens.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

// Reminders fire once across instances and a crash: two built servers as real processes, 2 000
// reminders coming due over a few seconds, one server killed with SIGKILL in the middle and started
// again. (A sweep killed inside its transaction is test/reminders.e2e-spec.ts's.) No app runs in
// this test process, so only the two servers sweep and send. Both channels are counted by
// notification id: a webhook receiver (verifying each signature, counting by webhook-id) gets one
// user's 2 000, and a push service (decrypting each message for the browser and verifying its VAPID
// JWT) a second user's 200, due over the same seconds (fewer: each push is encrypted and signed on
// its own, and every app of the run shares the queue). Every notification arrives, within 60 s of the
// restart; one the killed server had on the wire may arrive twice, with the same id (at-least-once:
// docs/reminders.md).
afterAll(stopServerProcesses);

const REMINDERS = 2000;
const PUSHED = 200;
const TASKS = 20;

const receivers: { close(): Promise<void> }[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.E2E_DIRECT_DATABASE_URL, max: 2 });
});
afterAll(() => db?.end());

async function eventually<T>(probe: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`nothing after ${ms} ms`);
    await sleep(250);
  }
}

it('delivers every one of 2 000 reminders once, with one of two instances killed and restarted', async () => {
  const env = { REMINDER_TICK_MS: '200', DELIVERY_TICK_MS: '200' };
  const first = await startServerProcess(env);
  const second = await startServerProcess(env);
  const post = async (who: string, path: string, body: unknown): Promise<Record<string, string>> => {
    const res = await fetch(`${second.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokenFor(who)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Record<string, string>;
  };
  const user = newUser();
  const receiver = await WebhookReceiver.start();
  receivers.push(receiver);
  receiver.verifyWith(
    (await post(user, '/api/webhooks', { url: receiver.url, events: ['reminder.fired'] })).secret,
  );
  const pushUser = newUser();
  const push = await new PushService().start();
  receivers.push(push);
  await post(pushUser, '/api/push-subscriptions', push.browser().json);
  const tasksOf = async (who: string) => {
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++)
      ids.push((await post(who, '/api/tasks', { title: `crash ${i}`, due_date: '2099-01-01T00:00:00Z' })).id);
    return ids;
  };
  const userTasks = await tasksOf(user);
  const pushUserTasks = await tasksOf(pushUser);
  // Straight into the table (the routes allow 10 per task and user): due from 3 s to 9 s from now.
  const start = Date.now() + 3000;
  const remind = (who: string, tasks: string[], n: number) =>
    db.query(
      `INSERT INTO reminders (task_id, user_id, at, next_fire_at)
       SELECT ($1::uuid[])[1 + i % $4], $2, ts, ts
         FROM generate_series(0, $3 - 1) AS i, LATERAL (SELECT to_timestamp(($5 + i * 6000.0 / $3) / 1000) AS ts) x`,
      [tasks, who, n, TASKS, start],
    );
  await remind(user, userTasks, REMINDERS);
  await remind(pushUser, pushUserTasks, PUSHED);
  const firedSoFar = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM reminder_fires f JOIN reminders r ON r.id = f.reminder_id
          WHERE r.user_id IN ($1, $2)`,
        [user, pushUser],
      )
    ).rows[0].n;

  // Half-way through, the first instance dies without a word, and comes back.
  await sleep(start + 3000 - Date.now());
  first.child.kill('SIGKILL');
  await first.exited;
  const beforeRestart = await firedSoFar();
  const restarted = await startServerProcess(env);
  const restartedAt = Date.now();

  await eventually(async () => (await firedSoFar()) >= REMINDERS + PUSHED, 60_000);
  // A few more sweeps on both instances find nothing more to send.
  await sleep(1500);
  const { rows: outcomes } = await db.query<{ outcome: string; n: number }>(
    `SELECT f.outcome, count(*)::int AS n FROM reminder_fires f JOIN reminders r ON r.id = f.reminder_id
      WHERE r.user_id = $1 GROUP BY 1`,
    [user],
  );
  expect(outcomes).toEqual([{ outcome: 'fired', n: REMINDERS }]);
  const { rows: notes } = await db.query<{ n: number; distinct_reminders: number; max_seq: string }>(
    `SELECT count(*)::int AS n, count(DISTINCT body->>'reminder_id')::int AS distinct_reminders, max(seq) AS max_seq
       FROM notifications WHERE user_id = $1`,
    [user],
  );
  // Each reminder once, numbered 1…2000 without a gap.
  expect(notes[0]).toEqual({ n: REMINDERS, distinct_reminders: REMINDERS, max_seq: String(REMINDERS) });

  // Every notification reached the receiver, signed, within 60 s of the restart.
  const { rows: ids } = await db.query<{ id: string }>(`SELECT id FROM notifications WHERE user_id = $1`, [
    user,
  ]);
  const { rows: pushIds } = await db.query<{ id: string }>(
    `SELECT id FROM notifications WHERE user_id = $1`,
    [pushUser],
  );
  expect(pushIds).toHaveLength(PUSHED);
  const pushCounts = () => {
    const counts = new Map<string, number>();
    for (const p of push.pushed)
      if (p.plaintext) {
        const id = (JSON.parse(p.plaintext) as { id: string }).id;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    return counts;
  };
  await eventually(
    () =>
      Promise.resolve(
        ids.every((r) => receiver.counts().has(r.id)) && pushIds.every((r) => pushCounts().has(r.id)),
      ),
    60_000 - (Date.now() - restartedAt),
  );
  await sleep(1500);
  const counts = receiver.counts();
  expect(counts.size).toBe(REMINDERS);
  expect(receiver.received.every((r) => r.verified)).toBe(true);
  // Twice at most, and only what the killed server had in flight (a send it made but could not record).
  const twice = [...counts.values()].filter((n) => n > 1);
  expect(twice.every((n) => n === 2)).toBe(true);
  expect(twice.length).toBeLessThanOrEqual(DELIVERY_LIMITS.concurrency);
  // The same at the push service: every message decrypted and signed, each notification once but
  // for what the killed server had on the wire.
  const pushed = pushCounts();
  expect(push.pushed.filter((p) => p.error)).toEqual([]);
  expect(pushed.size).toBe(PUSHED);
  const pushedTwice = [...pushed.values()].filter((n) => n > 1);
  expect(pushedTwice.every((n) => n === 2)).toBe(true);
  expect(pushedTwice.length).toBeLessThanOrEqual(DELIVERY_LIMITS.concurrency);
  const last = Math.max(...receiver.received.map((r) => r.at), ...push.pushed.map((p) => p.at));
  console.log(
    `reminders-crash: ${counts.size} notifications at the webhook receiver, ${twice.length} of them twice (same webhook-id); ${pushed.size} at the push service, ${pushedTwice.length} twice (same Topic); the last ${((last - restartedAt) / 1000).toFixed(1)} s after the restart`,
  );
  // The kill landed while reminders were still coming due.
  expect(beforeRestart).toBeLessThan(REMINDERS);
  expect(restarted.child.exitCode).toBeNull();
  expect(second.child.exitCode).toBeNull();
}, 120_000);
