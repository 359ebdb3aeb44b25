import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  destroyClusters,
  makeCertificates,
  MISSING_POSTGRES_BINARIES,
  postgresBinDir,
  startCluster,
  type Certificates,
  type Cluster,
} from './helpers/pg-cluster.js';
import { whenInstalled } from './helpers/installed.js';

/** The self-test of test/helpers/pg-cluster.ts: a TLS primary and a lagging streaming replica. */

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Connects to `cluster` over TCP with `ssl`, runs `sql`, and disconnects. */
async function queryOverTcp<T>(cluster: Cluster, ssl: pg.ClientConfig['ssl'], sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.url(), ssl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

whenInstalled(postgresBinDir, MISSING_POSTGRES_BINARIES, () => {
  describe('pg-cluster', () => {
    let certDir: string;
    let certs: Certificates;
    let primary: Cluster;
    let replica: Cluster;

    beforeAll(async () => {
      certDir = await mkdtemp(join(tmpdir(), 'pg-cluster-certs-'));
      certs = await makeCertificates(certDir);
      primary = await startCluster({ tls: certs });
      await primary.query('CREATE TABLE marks (id int PRIMARY KEY)');
      replica = await startCluster({ replicaOf: primary, applyDelayMs: 1500 });
    }, 60_000);

    afterAll(async () => {
      await destroyClusters();
      if (certDir) await rm(certDir, { recursive: true, force: true });
    });

    it('serves TLS with a certificate that verifies against its CA for localhost', async () => {
      const ssl = { ca: readFileSync(certs.caFile), servername: 'localhost' };
      const rows = await queryOverTcp<{ ssl: boolean }>(
        primary,
        ssl,
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      expect(rows).toEqual([{ ssl: true }]);
    });

    it('refuses verification against another CA, and allows plain connections when not tlsOnly', async () => {
      await expect(
        queryOverTcp(primary, { ca: readFileSync(certs.otherCaFile), servername: 'localhost' }, 'SELECT 1'),
      ).rejects.toThrow(/certificate/i);
      const rows = await queryOverTcp<{ ssl: boolean }>(
        primary,
        false,
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      expect(rows).toEqual([{ ssl: false }]);
    });

    it('makes a streaming replica that applies changes after the delay', async () => {
      expect(await replica.query('SELECT pg_is_in_recovery() AS recovery')).toEqual([{ recovery: true }]);
      expect(await replica.query('SELECT count(*)::int AS n FROM marks')).toEqual([{ n: 0 }]);

      const inserted = Date.now();
      await primary.query('INSERT INTO marks VALUES (1)');
      await sleep(300);
      expect(await replica.query('SELECT id FROM marks')).toEqual([]);

      let rows: unknown[] = [];
      while (rows.length === 0 && Date.now() - inserted < 10_000) {
        await sleep(100);
        rows = await replica.query('SELECT id FROM marks');
      }
      expect(rows).toEqual([{ id: 1 }]);
      expect(Date.now() - inserted).toBeGreaterThanOrEqual(1200);
    });

    it('refuses connections once stopped, and starts again', async () => {
      await replica.stop();
      await replica.stop(); // idempotent
      await expect(queryOverTcp(replica, false, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
      await replica.start();
      expect(await replica.query('SELECT pg_is_in_recovery() AS recovery')).toEqual([{ recovery: true }]);
    });
  });
});
