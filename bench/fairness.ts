// npm run bench:fairness — one user's worst-case searches against another user's stats. One user
// holds 100 000 tasks (TASKS) and sends 12 (SEARCHERS) parallel `q=a` listings for DURATION s, a
// search the trigram index cannot serve that matches most of the tasks; meanwhile another user
// asks GET /api/tasks/stats on 2 connections. Prints the searches' req/s and latency and the other
// user's p50/p99: the contract's spirit (and issue #14) is that the other user's p99 stays under
// 50 ms. DATABASE_URL picks the database (its tasks table is emptied first); default: embedded.
import autocannon from 'autocannon';
import pg from 'pg';
import { insertGeneratedTasks, VARIED_TASKS } from '../src/development/seed/generated-tasks.js';
import { benchDatabase, startServer, tokenFor } from './lib.js';

const TASKS = Number(process.env.TASKS ?? 100_000);
const SEARCHERS = Number(process.env.SEARCHERS ?? 12);
const DURATION = Number(process.env.DURATION ?? 10);
const SEARCH = process.env.SEARCH ?? '/api/tasks?q=a';
const HEAVY = 'bench-heavy-user';
const OTHER = 'bench-other-user';

const db = await benchDatabase();
const server = await startServer(db.url);
try {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('TRUNCATE tasks');
  await client.query(
    insertGeneratedTasks('generate_series(1, $2 + 50) AS n', {
      ...VARIED_TASKS,
      user_id: `CASE WHEN n <= $2 THEN $1 ELSE $3 END`,
    }),
    [HEAVY, TASKS, OTHER],
  );
  await client.query('VACUUM ANALYZE tasks');
  await client.end();

  const auth = (user: string) => ({ authorization: `Bearer ${tokenFor(server.secret, user)}` });
  const alone = await autocannon({
    url: `${server.url}/api/tasks/stats`,
    headers: auth(OTHER),
    connections: 2,
    duration: 3,
  });
  const [flood, probe] = await Promise.all([
    autocannon({
      url: `${server.url}${SEARCH}`,
      headers: auth(HEAVY),
      connections: SEARCHERS,
      duration: DURATION,
    }),
    autocannon({
      url: `${server.url}/api/tasks/stats`,
      headers: auth(OTHER),
      connections: 2,
      duration: DURATION,
    }),
  ]);
  console.log(`${TASKS} tasks for one user; node ${process.version}`);
  console.log(`other user's stats alone: p50 ${alone.latency.p50} ms, p99 ${alone.latency.p99} ms`);
  console.log(
    `${SEARCHERS} parallel ${SEARCH}: ${flood.requests.average.toFixed(1)} req/s, p50 ${flood.latency.p50} ms, ` +
      `p99 ${flood.latency.p99} ms (${flood.non2xx} not 2xx, ${flood.errors} errors, ${flood.timeouts} timeouts)`,
  );
  console.log(
    `other user's stats meanwhile: p50 ${probe.latency.p50} ms, p99 ${probe.latency.p99} ms, ` +
      `max ${probe.latency.max} ms, ${Math.round(probe.requests.average)} req/s (${probe.non2xx} not 2xx)`,
  );
} finally {
  await server.stop();
  await db.stop();
}
