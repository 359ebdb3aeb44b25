import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
// Extensionless: jest's global setup loads this file as CommonJS too.
import { freePort, postgresOsUser } from '../../src/development/embedded-postgres';

/** Debian's `pgbouncer` package (1.18 on bookworm: no prepared-statement support at all). */
export const PGBOUNCER_BIN = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));
export const MISSING_PGBOUNCER =
  'PgBouncer is not installed: skipped the specs through a transaction-mode pooler (install it: apt-get install -y pgbouncer)';

export interface PgBouncer {
  readonly port: number;
  /** The same URL with the pooler's host and port (database, user and query kept). */
  url(direct: string): string;
  /** Stops it (SIGINT: at once, open client connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port after stop() (a restarted pooler). */
  start(): Promise<void>;
  /** stop(), and removes its files. */
  destroy(): Promise<void>;
}

async function tracksPreparedStatements(bin: string): Promise<boolean> {
  const { stdout } = await promisify(execFile)(bin, ['--version']);
  const [major, minor] = (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
  return major > 1 || (major === 1 && minor >= 21);
}

/**
 * A throw-away PgBouncer in transaction mode in front of `target` (host:port of a PostgreSQL with
 * trust auth): exactly what Neon's pooler enforces, with PgBouncer's strictest settings: no
 * `ignore_startup_parameters` (so a client sending `statement_timeout` at startup is refused) and
 * no prepared-statement support. Any database name is passed through. As root it runs as `postgres`
 * (PgBouncer refuses root).
 */
export async function startPgBouncer(target: { host: string; port: number }): Promise<PgBouncer> {
  if (!PGBOUNCER_BIN) throw new Error(MISSING_PGBOUNCER);
  const dir = await mkdtemp(join(tmpdir(), 'pgbouncer-'));
  const user = await postgresOsUser();
  const port = await freePort();
  await writeFile(join(dir, 'userlist.txt'), '"postgres" ""\n');
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.host} port=${target.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      'default_pool_size = 20',
      // 1.21+ can track prepared statements (1.22+ does by default): off, as in 1.18 and on Neon.
      ...((await tracksPreparedStatements(PGBOUNCER_BIN)) ? ['max_prepared_statements = 0'] : []),
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  if (user) {
    await chmod(dir, 0o755);
    await chown(dir, user.uid, user.gid);
  }
  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    output = '';
    child = spawn(PGBOUNCER_BIN, [join(dir, 'pgbouncer.ini')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}): ${output.trim()}`);
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      const up = await client.connect().then(
        () => client.end().then(() => true),
        () => false,
      );
      if (up) return;
      if (Date.now() > deadline) throw new Error(`pgbouncer did not start in 10 s: ${output.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGINT');
    await exited;
  };
  // Best effort when the test process ends without stopping it.
  process.once('exit', () => child?.kill('SIGKILL'));
  await start();
  return {
    port,
    url: (direct) => Object.assign(new URL(direct), { host: `127.0.0.1:${port}` }).toString(),
    start,
    stop,
    destroy: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
