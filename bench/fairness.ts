// npm run bench:fairness — one user's flood against another user's stats, in two cases (CASES):
// - `search`: one user holds 100 000 tasks (TASKS) and sends 12 (SEARCHERS) parallel `q=a`
//   listings, a search the trigram index cannot serve that matches most of the tasks;
// - `moves`: one user's burst of moves (MOVERS connections, default 24, of
//   `POST /api/tasks/{id}/move` over 500 tasks): each takes the user's ordering lock, so they run
//   one at a time while the others wait for it;
// each for DURATION s while another user asks GET /api/tasks/stats on 2 connections. Prints the
// flood's req/s and latency and the other user's p50/p99, same run: the contract's spirit (issues
// #14, #27) is that the other user's p99 stays under 50 ms. DATABASE_URL picks the database (its
// tasks table is emptied first); default: embedded.
//
// Before and after, same run: BENCH_AGAINST=<another checkout, built> starts that build too and runs
// every case ROUNDS times (default 2) on each build, alternating which goes first, then prints the
// medians of each build.
import autocannon from 'autocannon';
import pg from 'pg';
import { insertGeneratedTasks, VARIED_TASKS } from '../src/development/seed/generated-tasks.js';
import { benchDatabase, startServer, summarise, tokenFor, type BenchServer } from './lib.js';

const TASKS = Number(process.env.TASKS ?? 100_000);
const SEARCHERS = Number(process.env.SEARCHERS ?? 12);
const MOVERS = Number(process.env.MOVERS ?? 24);
const MOVE_TASKS = 500;
const DURATION = Number(process.env.DURATION ?? 10);
const SEARCH = process.env.SEARCH ?? '/api/tasks?q=a';
const CASES = (process.env.CASES ?? 'search moves').split(/\s+/).filter(Boolean);
const AGAINST = process.env.BENCH_AGAINST;
const ROUNDS = Number(process.env.ROUNDS ?? (AGAINST ? 2 : 1));
const HEAVY = 'bench-heavy-user';
const MOVER = 'bench-mover-user';
const OTHER = 'bench-other-user';

interface Build {
  name: string;
  server: BenchServer;
}

interface Result {
  build: string;
  case: string;
  /** The flood's req/s, p50, p99, failures. */
  flood: { rps: number; p50: number; p99: number; failed: number };
  /** The other user's stats meanwhile. */
  other: { p50: number; p99: number; max: number; rps: number; failed: number };
}

const db = await benchDatabase();
const builds: Build[] = [];
try {
  const client = new pg.Client({ connectionString: db.url });
  // The first server migrates the database.
  builds.push({ name: 'this', server: await startServer(db.url) });
  if (AGAINST) builds.push({ name: 'against', server: await startServer(db.url, {}, AGAINST) });
  await client.connect();
  await client.query('TRUNCATE tasks CASCADE');
  await client.query(
    insertGeneratedTasks('generate_series(1, $2 + 50) AS n', {
      ...VARIED_TASKS,
      user_id: `CASE WHEN n <= $2 THEN $1 ELSE $3 END`,
    }),
    [HEAVY, TASKS, OTHER],
  );
  await client.query(
    insertGeneratedTasks('generate_series(1, $2) AS n', {
      ...VARIED_TASKS,
      id: `md5('mover-' || n)::uuid`,
      user_id: '$1',
    }),
    [MOVER, MOVE_TASKS],
  );
  await client.query('VACUUM ANALYZE tasks');
  const { rows } = await client.query<{ id: string }>('SELECT id FROM tasks WHERE user_id = $1', [MOVER]);
  await client.end();

  const results: Result[] = [];
  const alone: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const build of round % 2 ? [...builds].reverse() : builds) {
      const { url, secret } = build.server;
      const auth = (user: string) => ({ authorization: `Bearer ${tokenFor(secret, user)}` });
      const probe = (duration: number) =>
        autocannon({ url: `${url}/api/tasks/stats`, headers: auth(OTHER), connections: 2, duration });
      const quiet = await probe(3);
      (alone[build.name] ??= []).push(quiet.latency.p99);
      for (const name of CASES) {
        let next = 0;
        const flood =
          name === 'search'
            ? autocannon({
                url: `${url}${SEARCH}`,
                headers: auth(HEAVY),
                connections: SEARCHERS,
                duration: DURATION,
              })
            : autocannon({
                url,
                connections: MOVERS,
                duration: DURATION,
                requests: [
                  {
                    method: 'POST',
                    headers: { ...auth(MOVER), 'content-type': 'application/json' },
                    setupRequest: (req) => ({
                      ...req,
                      path: `/api/tasks/${rows[next++ % rows.length].id}/move`,
                      body: '{"after":null}',
                    }),
                  },
                ],
              });
        const [f, o] = await Promise.all([flood, probe(DURATION)]);
        const result: Result = {
          build: build.name,
          case: name,
          flood: {
            rps: f.requests.average,
            p50: f.latency.p50,
            p99: f.latency.p99,
            failed: f.non2xx + f.errors + f.timeouts,
          },
          other: {
            p50: o.latency.p50,
            p99: o.latency.p99,
            max: o.latency.max,
            rps: o.requests.average,
            failed: o.non2xx + o.errors + o.timeouts,
          },
        };
        results.push(result);
        console.log(
          `round ${round + 1} ${build.name.padEnd(7)} ${name.padEnd(6)} flood ${f.requests.average.toFixed(1)} req/s ` +
            `p50 ${f.latency.p50} ms p99 ${f.latency.p99} ms (${result.flood.failed} failed) | other's stats p50 ` +
            `${o.latency.p50} ms p99 ${o.latency.p99} ms max ${o.latency.max} ms ${Math.round(o.requests.average)} req/s ` +
            `(${result.other.failed} failed)`,
        );
      }
    }
  }
  console.log(
    `\n${TASKS} tasks for the searcher (${SEARCHERS} connections: ${SEARCH}), ${MOVERS} connections of moves; ` +
      `${DURATION} s per case, ${ROUNDS} round(s); node ${process.version}`,
  );
  const median = (xs: number[]) => summarise(xs).median;
  for (const build of builds) {
    console.log(`${build.name}: other user's stats alone, p99 median ${median(alone[build.name])} ms`);
    for (const name of CASES) {
      const mine = results.filter((r) => r.build === build.name && r.case === name);
      console.log(
        `  ${name.padEnd(6)} flood ${median(mine.map((r) => r.flood.rps)).toFixed(1)} req/s, ` +
          `p99 ${median(mine.map((r) => r.flood.p99))} ms | other's stats p50 ${median(mine.map((r) => r.other.p50))} ms, ` +
          `p99 ${median(mine.map((r) => r.other.p99))} ms, ${Math.round(median(mine.map((r) => r.other.rps)))} req/s ` +
          `(medians of ${mine.length})`,
      );
    }
  }
} finally {
  for (const build of builds) await build.server.stop();
  await db.stop();
}
