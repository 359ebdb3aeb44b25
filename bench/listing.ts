// npm run bench:listing — one user with 100 000 tasks: first page vs a page 90 000 deep vs a `q`
// search vs the tag filter vs stats vs a page of 1 000 sync changes, over HTTP against the built server, one request at a time.
// DATABASE_URL picks the database (its tasks table is emptied first); default: embedded.
import { performance } from 'node:perf_hooks';
import { createSecretKey } from 'node:crypto';
import pg from 'pg';
import { insertGeneratedTasks, VARIED_TASKS } from '../src/development/seed/generated-tasks.js';
import { encodeSyncToken, streamKey } from '../src/sync/sync-token.js';
import { SYNC_TOKEN_KEY } from '../src/sync/sync-tokens.js';
import { benchDatabase, startServer, summarise, tokenFor } from './lib.js';

const TASKS = Number(process.env.TASKS ?? 100_000);
const DEPTH = Number(process.env.DEPTH ?? 90_000);
const RUNS = Number(process.env.RUNS ?? 300);
const USER = 'bench-heavy-user';

const db = await benchDatabase();
const server = await startServer(db.url); // migrates the database
try {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const started = performance.now();
  await client.query('TRUNCATE tasks CASCADE');
  await client.query(
    insertGeneratedTasks('generate_series(1, $2 * 2) AS n', {
      ...VARIED_TASKS,
      user_id: `CASE WHEN n <= $2 THEN $1 ELSE 'other-user-' || (n % 1000) END`,
      // Due dates around today, so stats count overdue tasks.
      due_date: `CASE WHEN n % 4 = 0 THEN NULL ELSE now() + ((n % 400) - 200) * interval '1 day' END`,
    }),
    [USER, TASKS],
  );
  await client.query('VACUUM ANALYZE tasks');
  // A token halfway through the user's changes (TRUNCATE keeps the sequence going, so ask).
  const [{ seq: middle }] = (
    await client.query<{ seq: string }>(
      'SELECT seq FROM tasks WHERE user_id = $1 ORDER BY seq OFFSET $2 LIMIT 1',
      [USER, Math.floor(TASKS / 2)],
    )
  ).rows;
  await client.end();
  console.log(
    `seeded ${TASKS} tasks for one user (+${TASKS} for 1000 others) in ${Math.round(performance.now() - started)} ms`,
  );

  const headers = { Authorization: `Bearer ${tokenFor(server.secret, USER)}` };
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return res;
  };

  // ONLY=changes (a part of a label): just those queries (and no walk unless the deep page is one).
  const only = process.env.ONLY;
  const wanted = (label: string) => !only || label.includes(only);

  // Walk to the page that starts DEPTH tasks in, the way a client would: by following Link.
  let deep = '/api/tasks?limit=100';
  for (let seen = 0; wanted(`page at depth ${DEPTH}`) && seen < DEPTH; seen += 100) {
    const link = (await get(deep)).headers.get('link');
    deep = /<([^>]+)>/.exec(link ?? '')![1];
  }
  deep = deep.replace('limit=100', 'limit=50');

  // A token the server accepts is made with its sync-token key (server_keys), made by its first sync.
  await get('/api/tasks/changes?limit=1');
  const keys = new pg.Client({ connectionString: db.url });
  await keys.connect();
  const syncKey = createSecretKey(
    (await keys.query<{ key: Buffer }>('SELECT key FROM server_keys WHERE name = $1', [SYNC_TOKEN_KEY]))
      .rows[0].key,
  );
  await keys.end();

  const queries: [string, string][] = [
    ['first page (limit 50)', '/api/tasks'],
    [`page at depth ${DEPTH}`, deep],
    ['q search ("groceries")', '/api/tasks?q=groceries'],
    ['q search, rare ("task 4242:")', '/api/tasks?q=task%204242%3A'],
    ['tag filter ("urgent")', '/api/tasks?tag=urgent'],
    ['pending by due date', '/api/tasks?status=pending&sort=due_date'],
    ['stats', '/api/tasks/stats'],
    [
      `changes: 1 000 after a token ${Math.floor(TASKS / 2)} deep`,
      `/api/tasks/changes?limit=1000&since=${encodeURIComponent(encodeSyncToken(syncKey, USER, { lists: 0, streams: new Map([[streamKey(USER), { seq: Number(middle), floor: Number(middle) }]]) }))}`,
    ],
  ];
  const chosen = queries.filter(([label]) => wanted(label));
  console.log(`\n${RUNS} sequential requests each, after 30 warm-up requests (node ${process.version})\n`);
  console.log(`| query | median ms | p95 ms | p99 ms |\n|---|---:|---:|---:|`);
  const results: Record<string, ReturnType<typeof summarise>> = {};
  for (const [label, path] of chosen) {
    for (let i = 0; i < 30; i++) await get(path);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await get(path);
      times.push(performance.now() - t0);
    }
    results[label] = summarise(times);
    const { median, p95, p99 } = results[label];
    console.log(`| ${label} | ${median.toFixed(2)} | ${p95.toFixed(2)} | ${p99.toFixed(2)} |`);
  }
  const first = results['first page (limit 50)']?.median;
  const deepMedian = results[`page at depth ${DEPTH}`]?.median;
  if (first && deepMedian)
    console.log(`\ndeep page / first page (median): ${(deepMedian / first).toFixed(2)}×`);
} finally {
  await server.stop();
  await db.stop();
}
