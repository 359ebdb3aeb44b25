// npm run bench — the service under load, end to end, on this machine: builds, starts the built
// server in production mode on a bench database (DATABASE_URL, default: a throw-away embedded
// PostgreSQL), seeds 200 users × 200 tasks, then runs autocannon per scenario and prints req/s,
// p50, p99, errors, the server's CPU time per request and its peak RSS. Knobs: DURATION (s,
// default 10), CONNECTIONS (64), USERS (200), TASKS_PER_USER (200), WEB_CONCURRENCY (1), SCENARIOS
// ("list get create toggle mixed"; also "batch": POST /api/tasks/batch of BATCH_SIZE (10)
// commands, half creates, half toggles; "shared-create": the create of "create", into a list shared
// by SHARED_MEMBERS (50) users, each user writing into their group's list; "recurring-complete": the
// toggle of "toggle", on a daily recurring task in Europe/Berlin, so each completion advances it —
// report these two as ratios to "create" and "toggle" of the same run; "reminded-toggle": the toggle
// of "toggle", on a task with a reminder (absolute, far ahead), which each completion cancels and
// each reopening sets again: report it as a ratio to "toggle").
//
// Before and after, same run: BENCH_AGAINST=<another checkout, built> (e.g. a `git worktree` of
// the commit before a change) starts that build too, on the same database, and runs every scenario
// ROUNDS times (default 3) on each build, alternating which goes first; it prints each run and the
// ratio this / against of the medians. BENCH_AGAINST_DATABASE_URL: the other build runs on that
// database instead (its own migrations: for a change that adds one, or the build before a feature
// whose triggers are in the schema), seeded the same way.
import { readFileSync } from 'node:fs';
import autocannon, { type Request as LoadRequest } from 'autocannon';
import pg from 'pg';
import { insertGeneratedTasks, VARIED_TASKS } from '../src/development/seed/generated-tasks.js';
import { benchDatabase, cpuSeconds, startServer, tokenFor, type BenchServer } from './lib.js';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const USERS = Number(process.env.USERS ?? 200);
const PER_USER = Number(process.env.TASKS_PER_USER ?? 200);
const SCENARIOS = (process.env.SCENARIOS ?? 'list get create toggle mixed').split(/\s+/);
const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 10);
const SHARED_MEMBERS = Number(process.env.SHARED_MEMBERS ?? 50);
/** The first tasks of each user are recurring (seeded so for "recurring-complete"). */
const RECURRING_PER_USER = Math.min(20, Math.floor(PER_USER / 2));
/** One of user `u`'s tasks that is not recurring (a toggle completes or reopens it). */
const plainTask = (u: number) => taskId(u, RECURRING_PER_USER + pick(PER_USER - RECURRING_PER_USER) + 1);
/** The tasks after the recurring ones that have a reminder (seeded so for "reminded-toggle"). */
const REMINDED_PER_USER = Math.min(20, PER_USER - RECURRING_PER_USER);
const remindedTask = (u: number) => taskId(u, RECURRING_PER_USER + pick(REMINDED_PER_USER) + 1);
const AGAINST = process.env.BENCH_AGAINST;
const ROUNDS = Number(process.env.ROUNDS ?? (AGAINST ? 3 : 1));

interface Build {
  name: string;
  server: BenchServer;
  tokens: string[];
  /** The database it runs on. */
  url: string;
}

const db = await benchDatabase();
const serverEnv = { WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? '1' };
const builds: Build[] = [];
const againstUrl = process.env.BENCH_AGAINST_DATABASE_URL || db.url;
for (const [name, dir, url] of [
  ['this', '.', db.url],
  ...(AGAINST ? [['against', AGAINST, againstUrl]] : []),
]) {
  const server = await startServer(url, serverEnv, dir);
  const tokens = Array.from({ length: USERS }, (_, u) => tokenFor(server.secret, `bench-user-${u + 1}`));
  builds.push({ name, server, tokens, url });
}

async function seed(url: string, scenario: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('TRUNCATE tasks, task_completions, idempotency_keys CASCADE');
  await client.query(
    insertGeneratedTasks('generate_series(1, $1) AS u, generate_series(1, $2) AS n', {
      ...VARIED_TASKS,
      id: `md5('task-' || u || '-' || n)::uuid`,
      user_id: `'bench-user-' || u`,
      title: `'Task ' || n || ' of user ' || u`,
      due_date: `CASE WHEN n % 4 = 0 THEN NULL ELSE now() + (n % 60 - 30) * interval '1 day' END`,
      created_at: `timestamptz '2026-01-01Z' + n * interval '53 minutes' + u * interval '1 second'`,
      updated_at: `timestamptz '2026-01-01Z' + n * interval '53 minutes' + u * interval '1 second'`,
    }),
    [USERS, PER_USER],
  );
  // A daily series from the due date, in a zone with daylight saving: each completion advances it.
  await client.query(
    `UPDATE tasks SET recurrence = '{"rule": "FREQ=DAILY", "from": "due"}', time_zone = 'Europe/Berlin',
        due_date = timestamptz '2026-01-05 09:00+01', series_start = timestamptz '2026-01-05 09:00+01', completed = false
      WHERE id IN (SELECT md5('task-' || u || '-' || n)::uuid FROM generate_series(1, $1) u, generate_series(1, $2) n)`,
    [USERS, RECURRING_PER_USER],
  );
  // The shared lists (kept across seeds: only tasks are truncated): one per group of SHARED_MEMBERS
  // users, owned by the group's first, every other one an editor.
  await client.query(
    `INSERT INTO lists (id, owner_id, name) SELECT md5('shared-' || g)::uuid, 'bench-user-' || (g * $2 + 1), 'Shared ' || g
       FROM generate_series(0, ($1 - 1) / $2) g ON CONFLICT DO NOTHING`,
    [USERS, SHARED_MEMBERS],
  );
  await client.query(
    `INSERT INTO list_members (list_id, user_id, role)
     SELECT md5('shared-' || ((u - 1) / $2))::uuid, 'bench-user-' || u, CASE WHEN (u - 1) % $2 = 0 THEN 'owner' ELSE 'editor' END
       FROM generate_series(1, $1) u ON CONFLICT DO NOTHING`,
    [USERS, SHARED_MEMBERS],
  );
  if (scenario === 'reminded-toggle')
    await client.query(
      `INSERT INTO reminders (task_id, user_id, at, next_fire_at)
       SELECT id, user_id, timestamptz '2099-01-01Z', CASE WHEN completed THEN NULL ELSE timestamptz '2099-01-01Z' END
         FROM tasks WHERE id IN (SELECT md5('task-' || u || '-' || n)::uuid
                                   FROM generate_series(1, $1) u, generate_series($2 + 1, $2 + $3) n)`,
      [USERS, RECURRING_PER_USER, REMINDED_PER_USER],
    );
  await client.query('VACUUM ANALYZE tasks');
  await client.end();
}

const pick = (n: number) => Math.floor(Math.random() * n);
// The md5-derived ids above, computed the same way here.
const { createHash } = await import('node:crypto');
const md5Uuid = (text: string) =>
  createHash('md5')
    .update(text)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const taskId = (u: number, n: number) => md5Uuid(`task-${u}-${n}`);
/** The shared list user `u` writes into. */
const sharedList = (u: number) => md5Uuid(`shared-${Math.floor((u - 1) / SHARED_MEMBERS)}`);
const NEW_TASK = {
  title: 'Benchmark task',
  description: 'Created under load',
  priority: 'high',
  due_date: '2026-12-24T18:00:00+01:00',
  tags: ['bench', 'load'],
};

type Req = { method: 'GET' | 'POST' | 'PATCH'; path: string; headers: Record<string, string>; body?: string };
const requestFor = (kind: string, tokens: string[]): Req => {
  const u = pick(USERS) + 1;
  const headers = { authorization: `Bearer ${tokens[u - 1]}`, 'content-type': 'application/json' };
  switch (kind) {
    case 'list':
      return { method: 'GET', path: '/api/tasks?limit=50', headers };
    case 'get':
      return { method: 'GET', path: `/api/tasks/${taskId(u, pick(PER_USER) + 1)}`, headers };
    case 'toggle':
      return { method: 'PATCH', path: `/api/tasks/${plainTask(u)}/complete`, headers };
    case 'reminded-toggle':
      return { method: 'PATCH', path: `/api/tasks/${remindedTask(u)}/complete`, headers };
    case 'recurring-complete':
      return {
        method: 'PATCH',
        path: `/api/tasks/${taskId(u, pick(RECURRING_PER_USER) + 1)}/complete`,
        headers,
      };
    case 'shared-create':
      return {
        method: 'POST',
        path: '/api/tasks',
        headers,
        body: JSON.stringify({ ...NEW_TASK, list_id: sharedList(u) }),
      };
    case 'batch': {
      // BATCH_SIZE commands of one user: half creates, half toggles of its tasks.
      const commands = Array.from({ length: BATCH_SIZE }, (_, i) =>
        i % 2 === 0
          ? { op: 'create', data: { title: 'Batched task', tags: ['bench'] } }
          : { op: 'complete', task_id: plainTask(u) },
      );
      return { method: 'POST', path: '/api/tasks/batch', headers, body: JSON.stringify({ commands }) };
    }
    default:
      return { method: 'POST', path: '/api/tasks', headers, body: JSON.stringify(NEW_TASK) };
  }
};
// mixed: 80 % reads (list, get), 20 % writes (create, toggle)
const mixed = () =>
  ['list', 'list', 'list', 'list', 'get', 'get', 'get', 'get', 'create', 'toggle'][pick(10)];

/** autocannon's per-request hook: a fresh user, task and token for every request. */
const setup =
  (scenario: string, tokens: string[]) =>
  (req: LoadRequest): LoadRequest => ({
    ...req,
    ...requestFor(scenario === 'mixed' ? mixed() : scenario, tokens),
  });

function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}
/** RSS of a server and its worker processes. */
function treeRss(pid: number): number {
  const pids = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    pids.push(...children.split(/\s+/).filter(Boolean).map(Number));
  } catch {
    /* not Linux */
  }
  return pids.reduce((sum, p) => sum + rssMiB(p), 0);
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
  cpuUs: number;
  peak: number;
}

async function run(scenario: string, { server, tokens, url }: Build): Promise<Run> {
  await seed(url, scenario);
  // warm-up
  await autocannon({
    url: server.url,
    connections: 8,
    duration: 2,
    requests: [{ setupRequest: setup(scenario, tokens) }],
  });
  const pid = server.process.pid!;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 250);
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ setupRequest: setup(scenario, tokens) }],
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  clearInterval(sampler);
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.errors + result.timeouts + result.non2xx,
    cpuUs: result.requests.total ? Math.round((cpu * 1e6) / result.requests.total) : 0,
    peak: Math.round(peak),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(
  `${USERS} users × ${PER_USER} tasks, ${CONNECTIONS} connections, ${DURATION} s per scenario, ` +
    `WEB_CONCURRENCY=${serverEnv.WEB_CONCURRENCY}, node ${process.version}` +
    (AGAINST ? `, this build vs ${AGAINST}, ${ROUNDS} rounds` : '') +
    (AGAINST && againstUrl !== db.url ? ' (each on its own database)' : '') +
    '\n',
);
console.log(
  '| scenario | build | req/s | p50 ms | p99 ms | errors + non-2xx | server CPU µs/req | peak RSS MiB |\n' +
    '|---|---|--:|--:|--:|--:|--:|--:|',
);
const summary: string[] = [];
try {
  for (const scenario of SCENARIOS) {
    const runs = new Map<string, Run[]>(builds.map((b) => [b.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...builds].reverse() : builds;
      for (const build of order) {
        const r = await run(scenario, build);
        runs.get(build.name)!.push(r);
        console.log(
          `| ${scenario} | ${build.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.bad} | ${r.cpuUs} | ${r.peak} |`,
        );
      }
    }
    if (AGAINST) {
      const [mine, theirs] = [runs.get('this')!, runs.get('against')!];
      const ratio = (f: (r: Run) => number) => (median(mine.map(f)) / median(theirs.map(f))).toFixed(2);
      summary.push(
        `| ${scenario} | ${ratio((r) => r.rps)} | ${ratio((r) => r.cpuUs)} | ${ratio((r) => r.p99)} |`,
      );
    }
  }
  if (AGAINST) {
    console.log(
      '\nthis / against, medians of the rounds (req/s: higher is better; CPU and p99: lower is better)\n',
    );
    console.log('| scenario | req/s | server CPU µs/req | p99 |\n|---|--:|--:|--:|');
    for (const line of summary) console.log(line);
  }
} finally {
  for (const { name, server } of builds) {
    const code = await server.stop();
    if (code !== 0) console.log(`\nserver (${name}) exited with ${code}`);
  }
  await db.stop();
}
