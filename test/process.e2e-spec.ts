import { request as httpRequest, Agent } from 'node:http';
import pg from 'pg';
import { freePort } from '../src/development/embedded-postgres.js';
import {
  runServerProcessToExit,
  startServerProcess,
  stopServerProcesses,
  type ServerProcess,
} from './helpers/server-process.js';
import { newUser, tokenFor } from './helpers/tokens.js';

// The built server as a real process: graceful stop, logs, worker processes.
afterAll(stopServerProcesses);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(
  url: string,
  headers: Record<string, string> = {},
  agent: Agent | false = false,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful stop (SIGTERM)', () => {
  let server: ServerProcess;
  let db: pg.Client;
  beforeAll(async () => {
    server = await startServerProcess({ SHUTDOWN_GRACE_MS: '10000' });
    db = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('finishes in-flight requests, also on keep-alive connections, then exits 0', async () => {
    const user = newUser();
    const auth = { Authorization: `Bearer ${tokenFor(user)}` };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(`${server.url}/api/tasks`, auth, agent)).status).toBe(200); // opens a keep-alive socket

    // Hold every query on tasks, so these requests are in flight when the signal arrives.
    await db.query('BEGIN');
    await db.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
    const inFlight = Array.from({ length: 5 }, () => get(`${server.url}/api/tasks`, auth));
    const onKeepAlive = get(`${server.url}/api/tasks/stats`, auth, agent);
    await new Promise((r) => setTimeout(r, 500));

    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const ready = await get(`${server.url}/health/ready`).catch(() => null);
    // Either the listener is already closed (refused or reset) or readiness says 503: no new work either way.
    if (ready) expect(ready.status).toBe(503);

    await new Promise((r) => setTimeout(r, 500));
    await db.query('COMMIT');
    const results = await Promise.all([...inFlight, onKeepAlive]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(results.at(-1)!.headers.connection).toBe('close');
    expect(await server.exited).toBe(0);
    agent.destroy();
  });
});

describe('logs', () => {
  it('are JSON lines with the request id and user, and never contain a token', async () => {
    const server = await startServerProcess();
    try {
      const user = newUser();
      const token = tokenFor(user);
      await get(`${server.url}/api/tasks?limit=5`, {
        Authorization: `Bearer ${token}`,
        'X-Request-Id': 'log-test-1',
      });
      await get(`${server.url}/api/me?access_token=${token}`, { 'X-Request-Id': 'log-test-2' });
      await get(`${server.url}/api/me`, { Authorization: `Bearer ${token}x`, 'X-Request-Id': 'log-test-3' });
      await new Promise((r) => setTimeout(r, 300));
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
      const line = lines.find((l) => l.req?.id === 'log-test-1');
      expect(line).toMatchObject({ user_id: user, res: { status: 200 }, req: { method: 'GET' } });
      expect(typeof line?.duration_ms).toBe('number');
      expect(lines.find((l) => l.req?.id === 'log-test-3')).toMatchObject({ res: { status: 401 } });
      expect(server.output()).not.toContain(token.split('.')[2]);
      expect(server.output()).not.toContain(token.split('.')[1]);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});

describe('WEB_CONCURRENCY=2', () => {
  it('serves from two worker processes and stops them all on SIGTERM', async () => {
    const server = await startServerProcess({ WEB_CONCURRENCY: '2' });
    try {
      for (let i = 0; i < 100 && (server.output().match(/Tasks API ready/g) ?? []).length < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const auth = { Authorization: `Bearer ${tokenFor(newUser())}` };
      for (let i = 0; i < 40; i++) expect((await get(`${server.url}/api/tasks`, auth)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      const pids = new Set(
        server
          .output()
          .split('\n')
          .filter((l) => l.includes('"request completed"'))
          .map((l) => (JSON.parse(l) as { pid: number }).pid),
      );
      expect(pids.size).toBe(2);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });

  it('stops with exit code 1 when a worker cannot start, instead of restarting it for ever', async () => {
    const run = await runServerProcessToExit({
      WEB_CONCURRENCY: '2',
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/tasks`,
      DB_CONNECT_TIMEOUT_MS: '300',
    });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/a worker failed to start/);
  }, 30_000);
});
