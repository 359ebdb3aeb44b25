import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whenInstalled } from './helpers/installed.js';
import {
  destroyClusters,
  makeCertificates,
  MISSING_POSTGRES_BINARIES,
  postgresBinDir,
  startCluster,
  type Certificates,
  type Cluster,
} from './helpers/pg-cluster.js';
import { runServerProcessToExit, startServerProcess, stopServerProcesses } from './helpers/server-process.js';

/**
 * `sslmode` with libpq's meaning, against a PostgreSQL that only accepts TLS, with a certificate made
 * here: `require` encrypts without verifying, `verify-full` verifies against `sslrootcert` and
 * refuses another CA with one clear line; Neon's `channel_binding=require` never stops a start.
 * The built server in production, so what it prints at start (no deprecation warning) is seen too.
 */
whenInstalled(postgresBinDir, MISSING_POSTGRES_BINARIES, () => {
  let certDir: string;
  let certs: Certificates;
  let db: Cluster;
  beforeAll(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'tls-certs-'));
    certs = await makeCertificates(certDir);
    db = await startCluster({ tls: certs, tlsOnly: true });
  }, 60_000);
  afterAll(async () => {
    await stopServerProcesses();
    await destroyClusters();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  /** The cluster's URL with host `localhost` (the certificate's name) and these parameters. */
  const urlWith = (params: string) => `${db.url().replace('127.0.0.1', 'localhost')}?${params}`;

  const encryptedConnections = async () =>
    db.query<{ ssl: boolean; n: number }>(
      `SELECT s.ssl, count(*)::int AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
        WHERE a.application_name = 'tasks-api' GROUP BY s.ssl`,
    );

  it.each([
    ['sslmode=require (encrypted, not verified)', () => 'sslmode=require'],
    ['sslmode=require&channel_binding=require (Neon)', () => 'sslmode=require&channel_binding=require'],
    ['sslmode=verify-full with the right CA', () => `sslmode=verify-full&sslrootcert=${certs.caFile}`],
  ])(
    '%s: starts without a warning, serves, and every connection is encrypted',
    async (_name, params) => {
      const server = await startServerProcess({ DATABASE_URL: urlWith(params()) });
      try {
        const created = await fetch(`${server.url}/health/ready`);
        expect(created.status).toBe(200);
        expect(await encryptedConnections()).toEqual([{ ssl: true, n: expect.any(Number) }]);
        expect(server.output()).not.toMatch(/warning/i);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    },
    30_000,
  );

  it('sslmode=verify-full with another CA refuses to start, in one line that says why', async () => {
    const run = await runServerProcessToExit(
      { DATABASE_URL: urlWith(`sslmode=verify-full&sslrootcert=${certs.otherCaFile}`), LOG_LEVEL: 'fatal' },
      30_000,
    );
    expect(run.code).toBe(1);
    const lines = (run.stdout + run.stderr).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Failed to start: .*certificate/i);
    expect(lines[0]).not.toMatch(/\bat \S+ \(/);
  }, 40_000);

  it('sslmode=verify-ca without sslrootcert is a configuration error naming the variable', async () => {
    const run = await runServerProcessToExit({
      DATABASE_URL: urlWith('sslmode=verify-ca'),
      LOG_LEVEL: 'fatal',
    });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/DATABASE_URL: Using sslmode=verify-ca requires specifying a CA/);
  });
});
