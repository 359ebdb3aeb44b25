// `npm run bench:reminders`: how late reminders fire under the contract's load (#31 item 5).
//
// PENDING (100 000) reminders, DUE (10 000) of them coming due within WINDOW_S (60 s; 0: all at the
// same instant) starting LEAD_S (20 s) after seeding, the rest a day away; INSTANCES (1) built
// servers on DATABASE_URL (else a throw-away embedded PostgreSQL), default REMINDER_TICK_MS. It waits
// until every due one is recorded, then prints p50, p99 and the maximum of the time from each
// reminder's due time to the moment its notification was written in the sweep's transaction (its
// `created_at`, clock_timestamp(); the COMMIT follows within milliseconds, then the live streams
// send it and Web Push and webhook deliveries are due), and checks each fired once. Build first
// (`npm run build`).
import pg from 'pg';
import { insertGeneratedTasks } from '../src/development/seed/generated-tasks.js';
import { benchDatabase, startServer, type BenchServer } from './lib.js';

const PENDING = Number(process.env.PENDING ?? 100_000);
const DUE = Number(process.env.DUE ?? 10_000);
const WINDOW_S = Number(process.env.WINDOW_S ?? 60);
const LEAD_S = Number(process.env.LEAD_S ?? 20);
const INSTANCES = Number(process.env.INSTANCES ?? 1);
const USERS = 1000;

const db = await benchDatabase();
const servers: BenchServer[] = [];
for (let i = 0; i < INSTANCES; i++) servers.push(await startServer(db.url));
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  await client.query('TRUNCATE tasks, notifications, notification_counters, reminder_fires CASCADE');
  const perUser = Math.ceil(PENDING / USERS);
  await client.query(
    insertGeneratedTasks('generate_series(1, $1) AS u, generate_series(1, $2) AS n', {
      user_id: `'bench-user-' || u`,
      title: `'Task ' || n`,
      position: `'f' || lpad((999999 - n)::text, 6, '0')`,
    }),
    [USERS, perUser],
  );
  // Due ones spread evenly over the window (by row number), from LEAD_S after now.
  const { rows } = await client.query<{ start: string }>(
    `WITH t AS (SELECT id, user_id, row_number() OVER (ORDER BY id) AS rn FROM tasks LIMIT $1),
          s AS (SELECT now() + make_interval(secs => $3) AS start)
     INSERT INTO reminders (task_id, user_id, at, next_fire_at)
     SELECT t.id, t.user_id, f.at, f.at
       FROM t, s, LATERAL (SELECT CASE WHEN t.rn <= $2 THEN s.start + make_interval(secs => $4 * (t.rn - 1) / $2::float)
                                       ELSE now() + interval '1 day' END AS at) f
     RETURNING (SELECT start FROM s) AS start`,
    [PENDING, DUE, LEAD_S, WINDOW_S],
  );
  const start = rows[0].start;
  // Seeding that took longer than LEAD_S would count its own time as lateness.
  const { rows: clock } = await client.query<{ early: boolean }>('SELECT clock_timestamp() < $1 AS early', [
    start,
  ]);
  if (!clock[0].early) throw new Error(`seeding took longer than LEAD_S (${LEAD_S} s): raise it`);
  console.log(
    `${PENDING} pending reminders, ${DUE} due over ${WINDOW_S} s from ${new Date(start).toISOString()}, ` +
      `${INSTANCES} instance(s), node ${process.version}`,
  );
  const deadline = Date.now() + (LEAD_S + WINDOW_S + 120) * 1000;
  let recorded = 0;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM reminder_fires WHERE fire_at >= $1`,
      [start],
    );
    recorded = Number(rows[0].n);
    if (recorded >= DUE) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const { rows: stats } = await client.query<Record<string, string>>(
    `SELECT count(*) AS fired, count(DISTINCT (n.body->>'reminder_id')) AS distinct_reminders,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM n.created_at - (n.body->>'fire_at')::timestamptz)) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM n.created_at - (n.body->>'fire_at')::timestamptz)) AS p99,
            max(extract(epoch FROM n.created_at - (n.body->>'fire_at')::timestamptz)) AS max
       FROM notifications n WHERE (n.body->>'fire_at')::timestamptz >= $1`,
    [start],
  );
  const s = stats[0];
  const sec = (v: string) => `${Number(v).toFixed(2)} s`;
  console.log(
    `recorded ${recorded}/${DUE}; notifications ${s.fired} for ${s.distinct_reminders} reminders; ` +
      `due → fired: p50 ${sec(s.p50)}, p99 ${sec(s.p99)}, max ${sec(s.max)}`,
  );
  if (recorded < DUE || Number(s.fired) !== DUE || Number(s.distinct_reminders) !== DUE) process.exitCode = 1;
} finally {
  await client.end();
  for (const server of servers) await server.stop();
  await db.stop();
}
