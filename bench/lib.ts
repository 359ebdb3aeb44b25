// Shared by the benchmark scripts: a database (DATABASE_URL or an embedded one), the built
// server as a child process, and HS256 tokens for it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signHs256 } from '../src/auth/sign-hs256.js';
import { waitForReady } from '../test/helpers/ready.js';
import { freePort, startThrowawayPostgres } from '../src/development/embedded-postgres.js';

export interface BenchDatabase {
  url: string;
  stop(): Promise<void>;
}

/** DATABASE_URL when set (its tasks table is truncated), else a throw-away embedded PostgreSQL. */
export async function benchDatabase(): Promise<BenchDatabase> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: () => Promise.resolve() };
  return startThrowawayPostgres('bench');
}

export interface BenchServer {
  url: string;
  process: ChildProcess;
  secret: string;
  stop(): Promise<number | null>;
}

/**
 * Starts `node dist/main.js` (build first) of the checkout in `dir` (default: this one) in
 * production mode and waits for /health/ready.
 */
export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  dir = '.',
): Promise<BenchServer> {
  if (!existsSync(join(dir, 'dist/main.js')))
    throw new Error(`${join(dir, 'dist/main.js')} is missing: run \`npm run build\` there first`);
  const port = await freePort();
  const secret = randomBytes(32).toString('base64url');
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the server under load.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
    cwd: dir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      BETTER_AUTH_SECRET: secret,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      // Every load generator connects from 127.0.0.1 (bench:events holds 1 000 streams).
      HTTP_MAX_CONNECTIONS_PER_IP: '0',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, child, 60_000);
  return {
    url,
    process: child,
    secret,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** CPU seconds (user + system) the process and its direct children have used so far (Linux). */
export function cpuSeconds(pid: number): number {
  const ticks = (p: number | string) => {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    /* not Linux, or gone */
  }
  return [pid, ...children].reduce((sum: number, p) => sum + ticks(p), 0) / 100;
}

/** An HS256 token for `sub`, valid for 2 hours. */
export function tokenFor(secret: string, sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  return signHs256({ sub, iat: now, exp: now + 7200 }, secret);
}

/** Median and p99 of a list of durations (ms). */
export function summarise(ms: number[]): { median: number; p95: number; p99: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), p99: at(0.99) };
}
