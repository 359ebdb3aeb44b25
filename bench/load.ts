// npm run bench — the service under load, end to end, on this machine: builds, starts the built
// server in production mode on a bench database (DATABASE_URL, default: a throw-away embedded
// PostgreSQL), seeds 200 users × 200 tasks, then runs autocannon per scenario and prints req/s,
// p50, p99, errors and the server's peak RSS. Knobs: DURATION (s, default 10), CONNECTIONS (64),
// USERS (200), TASKS_PER_USER (200), WEB_CONCURRENCY (1), SCENARIOS ("list get create toggle mixed";
// also "batch": POST /api/tasks/batch of BATCH_SIZE (10) commands, half creates, half toggles).
import { readFileSync } from 'node:fs';
import autocannon, { type Request as LoadRequest } from 'autocannon';
import pg from 'pg';
import { insertGeneratedTasks, VARIED_TASKS } from '../src/development/seed/generated-tasks.js';
import { benchDatabase, startServer, tokenFor } from './lib.js';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const USERS = Number(process.env.USERS ?? 200);
const PER_USER = Number(process.env.TASKS_PER_USER ?? 200);
const SCENARIOS = (process.env.SCENARIOS ?? 'list get create toggle mixed').split(/\s+/);
const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 10);

const db = await benchDatabase();
const server = await startServer(db.url, { WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? '1' });

async function seed(): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('TRUNCATE tasks, idempotency_keys');
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
  await client.query('VACUUM ANALYZE tasks');
  await client.end();
}

const tokens = Array.from({ length: USERS }, (_, u) => tokenFor(server.secret, `bench-user-${u + 1}`));
const pick = (n: number) => Math.floor(Math.random() * n);
// The md5-derived ids above, computed the same way here.
const { createHash } = await import('node:crypto');
const taskId = (u: number, n: number) =>
  createHash('md5')
    .update(`task-${u}-${n}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

type Req = { method: 'GET' | 'POST' | 'PATCH'; path: string; headers: Record<string, string>; body?: string };
const requestFor = (kind: string): Req => {
  const u = pick(USERS) + 1;
  const headers = { authorization: `Bearer ${tokens[u - 1]}`, 'content-type': 'application/json' };
  switch (kind) {
    case 'list':
      return { method: 'GET', path: '/api/tasks?limit=50', headers };
    case 'get':
      return { method: 'GET', path: `/api/tasks/${taskId(u, pick(PER_USER) + 1)}`, headers };
    case 'toggle':
      return { method: 'PATCH', path: `/api/tasks/${taskId(u, pick(PER_USER) + 1)}/complete`, headers };
    case 'batch': {
      // BATCH_SIZE commands of one user: half creates, half toggles of its tasks.
      const commands = Array.from({ length: BATCH_SIZE }, (_, i) =>
        i % 2 === 0
          ? { op: 'create', data: { title: 'Batched task', tags: ['bench'] } }
          : { op: 'complete', task_id: taskId(u, pick(PER_USER) + 1) },
      );
      return { method: 'POST', path: '/api/tasks/batch', headers, body: JSON.stringify({ commands }) };
    }
    default:
      return {
        method: 'POST',
        path: '/api/tasks',
        headers,
        body: JSON.stringify({
          title: 'Benchmark task',
          description: 'Created under load',
          priority: 'high',
          due_date: '2026-12-24T18:00:00+01:00',
          tags: ['bench', 'load'],
        }),
      };
  }
};
// mixed: 80 % reads (list, get), 20 % writes (create, toggle)
const mixed = () =>
  ['list', 'list', 'list', 'list', 'get', 'get', 'get', 'get', 'create', 'toggle'][pick(10)];

/** autocannon's per-request hook: a fresh user, task and token for every request. */
const setup =
  (scenario: string) =>
  (req: LoadRequest): LoadRequest => ({ ...req, ...requestFor(scenario === 'mixed' ? mixed() : scenario) });

function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}
/** RSS of the server and its worker processes. */
function treeRss(): number {
  const pids = [server.process.pid!];
  try {
    const children = readFileSync(`/proc/${server.process.pid}/task/${server.process.pid}/children`, 'utf8');
    pids.push(...children.split(/\s+/).filter(Boolean).map(Number));
  } catch {
    /* not Linux */
  }
  return pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
}

async function run(scenario: string) {
  await seed();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss())), 250);
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        setupRequest: (req: LoadRequest) => ({
          ...req,
          ...requestFor(scenario === 'mixed' ? mixed() : scenario),
        }),
      },
    ],
  });
  clearInterval(sampler);
  return { scenario, result, peak };
}

console.log(
  `${USERS} users × ${PER_USER} tasks, ${CONNECTIONS} connections, ${DURATION} s per scenario, ` +
    `WEB_CONCURRENCY=${process.env.WEB_CONCURRENCY ?? 1}, node ${process.version}\n`,
);
console.log(
  '| scenario | req/s | p50 ms | p99 ms | errors + non-2xx | peak RSS MiB |\n|---|--:|--:|--:|--:|--:|',
);
try {
  for (const scenario of SCENARIOS) {
    // warm-up
    await autocannon({
      url: server.url,
      connections: 8,
      duration: 2,
      requests: [{ setupRequest: setup(scenario) }],
    });
    const { result, peak } = await run(scenario);
    const bad = result.errors + result.timeouts + result.non2xx;
    console.log(
      `| ${scenario} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${bad} | ${Math.round(peak)} |`,
    );
  }
} finally {
  const code = await server.stop();
  await db.stop();
  if (code !== 0) console.log(`\nserver exited with ${code}`);
}
