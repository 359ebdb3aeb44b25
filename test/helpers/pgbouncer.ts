import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
// Extensionless: jest's global setup loads this file as CommonJS too.
import { freePort, postgresOsUser } from '../../src/development/embedded-postgres';
import { reapWhenThisProcessEnds } from './reaper';

/** Debian's `pgbouncer` package (1.18 on bookworm: no prepared-statement support at all). */
export const PGBOUNCER_BIN = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));
export const MISSING_PGBOUNCER =
  'PgBouncer is not installed: skipped the specs through a transaction-mode pooler (install it: apt-get install -y pgbouncer)';

export interface PgBouncer {
  readonly port: number;
  /** The same URL with the pooler's host and port (database, user and query kept). */
  url(direct: string): string;
  /** Stops it (SIGINT; SIGKILL if it has not ended 5 s later): open client connections are cut. */
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

/** A line of PgBouncer's auth_file: both fields in double quotes, a double quote doubled. */
const authLine = (user: string, password: string) =>
  `"${user.replace(/"/g, '""')}" "${password.replace(/"/g, '""')}"`;

/**
 * A throw-away PgBouncer in transaction mode in front of the PostgreSQL of `target` (a URL: its host,
 * port, user and password), with PgBouncer's strictest settings, exactly what Neon's pooler enforces:
 * no `ignore_startup_parameters` (so a client sending `statement_timeout` at startup is refused) and
 * no prepared-statement support. Any database name is passed through. Clients are trusted; PgBouncer
 * logs in to the server with the URL's password (its auth_file), so it works in front of a server
 * with password authentication (the embedded PostgreSQL of `npm test`) as well as trust. As root it
 * runs as `postgres` (PgBouncer refuses root).
 *
 * Nothing is left behind: a failed start stops it and removes its files, and it is killed when this
 * process ends without destroy() (reapWhenThisProcessEnds).
 */
export async function startPgBouncer(target: string): Promise<PgBouncer> {
  if (!PGBOUNCER_BIN) throw new Error(MISSING_PGBOUNCER);
  const bin = PGBOUNCER_BIN;
  const server = new URL(target);
  const dbUser = decodeURIComponent(server.username) || 'postgres';
  const dir = await mkdtemp(join(tmpdir(), 'pgbouncer-'));
  const pidFile = join(dir, 'pgbouncer.pid');
  const disarm = reapWhenThisProcessEnds({ pidFile }, [dir]);
  const port = await freePort();
  const url = (direct: string) => Object.assign(new URL(direct), { host: `127.0.0.1:${port}` }).toString();
  let child: ChildProcess | undefined;
  let output = '';
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGINT');
    // PgBouncer before 1.23 waits for server connections to be released on SIGINT: not for ever.
    const hurry = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(hurry);
  };
  const destroy = async () => {
    try {
      await stop();
    } finally {
      disarm();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  };
  try {
    const user = await postgresOsUser();
    await writeFile(join(dir, 'userlist.txt'), `${authLine(dbUser, decodeURIComponent(server.password))}\n`, {
      mode: 0o600,
    });
    await writeFile(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=${server.hostname} port=${server.port || 5432}`,
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
        ...((await tracksPreparedStatements(bin)) ? ['max_prepared_statements = 0'] : []),
        `pidfile = ${pidFile}`,
        'log_connections = 0',
        'log_disconnections = 0',
        '',
      ].join('\n'),
    );
    if (user) {
      await chmod(dir, 0o755);
      for (const path of [dir, join(dir, 'userlist.txt'), join(dir, 'pgbouncer.ini')])
        await chown(path, user.uid, user.gid);
    }
    const start = async () => {
      output = '';
      const started = spawn(bin, [join(dir, 'pgbouncer.ini')], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
      });
      child = started;
      started.on('error', (err) => (output += `could not run ${bin}: ${err.message}\n`));
      started.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      started.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (started.exitCode !== null)
          throw new Error(`pgbouncer exited (${started.exitCode}): ${output.trim()}`);
        // Through PgBouncer to the server, as the URL's user: proves the login to the server too.
        const client = new pg.Client({ connectionString: url(target) });
        client.on('error', () => undefined);
        const failure = await client.connect().then(
          () => client.end().then(() => undefined),
          (err: NodeJS.ErrnoException) => err,
        );
        if (!failure) return;
        // Not listening yet: try again. Any other answer (a failed login to the server) will not change.
        if (failure.code !== 'ECONNREFUSED')
          throw new Error(
            `pgbouncer cannot reach ${server.host} as ${dbUser}: ${failure.message}: ${output.trim()}`,
          );
        if (Date.now() > deadline) throw new Error(`pgbouncer did not start in 10 s: ${output.trim()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await start();
    return { port, url, start, stop, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}
